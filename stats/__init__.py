"""Indicators (docs/domain.md, Outcomes and indicators). May import every app below it
(applications, companies, programs) and adn_portal.accounts, .mailer and .lib; nothing imports
stats but the top layer, adn_portal.wiring (import-linter checks it)."""
