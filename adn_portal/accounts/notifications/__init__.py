"""Notifications: what a person should know, in the portal and by e-mail as they chose, and the
reminders' claims (docs/architecture.md, Notifications and reminders).

Generic: a kind, a text, a link and what it is about (`target`). What a file is and who follows
it stays in applications (applications/notifications.py), which calls `notification_send`.

services: notification_send, reading, preferences, the daily digest · reminders: the claim
that makes a reminder go once · selectors: the list and the preferences a page shows ·
forms, views, api, urls: the notification list and the preferences page."""
