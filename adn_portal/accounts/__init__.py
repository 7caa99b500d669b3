"""Users, roles, the second factor, API tokens, the audit log and idempotency keys. May import
adn_portal.mailer and adn_portal.lib only (import-linter checks it)."""
