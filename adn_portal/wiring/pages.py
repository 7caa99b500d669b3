"""The site's own pages, linked from every footer: legal notice, privacy notice, accessibility
statement and contact. Their text is a template per language
(templates/pages/<page>.<language>.html), French when a translation is missing: long legal
text reads better to its translators whole than cut into messages."""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import select_template
from django.utils import translation

from programs.selectors import programmes_in_order

PAGES = ("legal_notice", "privacy_notice", "accessibility", "contact")


def site_page(request, page: str):
    language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    template = select_template([f"pages/{page}.{language}.html", f"pages/{page}.fr.html"])
    context = {
        "page": page,
        "retention_years": settings.FILE_RETENTION_YEARS,
        "programmes": programmes_in_order() if page == "contact" else [],
    }
    return HttpResponse(template.render(context, request))
