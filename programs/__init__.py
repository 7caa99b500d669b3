"""Programmes and calls (docs/domain.md, Programmes and calls). May import adn_portal.accounts,
adn_portal.mailer and adn_portal.lib; knows nothing of organisations, files or indicators
(import-linter checks it)."""
