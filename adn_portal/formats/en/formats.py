# Day before month, as English is written in Belgium (Django's "en" is American: "Jan. 29, 2027").
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
