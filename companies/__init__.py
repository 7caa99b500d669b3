"""Organisations, their members and recognised experts (docs/domain.md, Organisations and
eligibility; SME size class; Recognised experts). May import programs, adn_portal.accounts,
adn_portal.mailer and adn_portal.lib; knows nothing of files or indicators (import-linter checks
it)."""
