"""{{ application.call|call_label:application.programme }}: a call named as lists name it (its
programme once), from a programme the page already holds."""

from django import template

from ..models import call_label as label

register = template.Library()


@register.filter
def call_label(call, programme) -> str:
    return label(programme.name, call.title)
