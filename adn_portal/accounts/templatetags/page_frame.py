"""`{% same_for_everyone [vary …] %}…{% end_same_for_everyone %}`: a piece of the page frame
(the header, the footer) that reads the same for everyone in one language. It is rendered once
per process for each language (and each value of what the tag names) and copied afterwards,
like the links it holds (adn_portal/lib/navigation.py): rendering the header's translations
and links again on every page took about a millisecond.

Only for text fixed while the process runs: translations, links, static addresses. Never a
name, a count, a token or a path: those stay outside, between two pieces. What it varies on
takes few values (whether someone is signed in, the section of the site)."""

from django import template
from django.utils.translation import get_language

register = template.Library()

# Languages times the values of what a piece varies on; more means a misuse: render each time.
KEPT_PER_PIECE = 32


class SameForEveryoneNode(template.Node):
    def __init__(self, nodelist, vary):
        self.nodelist, self.vary = nodelist, vary
        # Kept on the node: as long as its compiled template (the whole process in production,
        # one parse of an edited template in development).
        self.rendered: dict[tuple, str] = {}

    def render(self, context):
        key = (get_language(), *(value.resolve(context) for value in self.vary))
        html = self.rendered.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(self.rendered) < KEPT_PER_PIECE:
                self.rendered[key] = html
        return html


@register.tag
def same_for_everyone(parser, token):
    vary = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("end_same_for_everyone",))
    parser.delete_first_token()
    return SameForEveryoneNode(nodelist, vary)
