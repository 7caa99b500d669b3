"""The bottom layer: the portal's own library. It imports Django and third-party packages only,
never adn_portal.accounts, adn_portal.mailer or an app (import-linter checks it)."""
