"""Filters for the plain-text e-mails: `{% load plain_text %}`, `{{ organisation.name|one_line }}`."""

from django import template

from adn_portal.lib.names import one_line as _one_line

register = template.Library()


@register.filter
def one_line(value) -> str:
    """A name on one line, whatever is stored: it cannot add lines to the message."""
    return _one_line(value)
