"""The outbox: e-mails queued on commit, sent exactly once. May import adn_portal.lib only
(import-linter checks it)."""
