"""A live worker's settings when it must talk to a real SMTP server (EMAIL_URL): the test
settings, whose mailer otherwise keeps messages in memory."""

from adn_portal.lib.env import env, mailers_from_url
from adn_portal.settings.test import *  # noqa: F403

MAILERS = mailers_from_url(env.str("EMAIL_URL"))
