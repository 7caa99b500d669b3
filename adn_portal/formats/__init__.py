"""Date formats where Django's own do not suit a Belgian portal (FORMAT_MODULE_PATH): templates
write dates with DATE_FORMAT / DATETIME_FORMAT, so each language keeps its own punctuation
("29. Januar 2027", "29 janvier 2027")."""
