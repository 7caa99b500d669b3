"""Files: the application form, the workflow, reviews and decisions (docs/domain.md, The life of
a file). May import companies, programs, adn_portal.accounts, adn_portal.mailer and
adn_portal.lib; never stats (import-linter checks it)."""
