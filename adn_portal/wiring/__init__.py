"""The top layer: the URLconf (ROOT_URLCONF), the /api/v1/ router, healthz and the error
handlers. It may import every layer below it (stats, applications, companies, programs,
adn_portal.accounts, adn_portal.mailer, adn_portal.lib); nothing imports it but Django, through
settings, and the tests."""
