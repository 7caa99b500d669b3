"""The public's pages: the directory of recognised experts (cached whole), its open-data
export, an expert's page and logo."""

import json

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import truncatewords
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from adn_portal.accounts.permissions import MANAGERS, has_role
from adn_portal.lib.page_cache import current_version, fragments
from adn_portal.lib.page_cache import serve as serve_page
from adn_portal.lib.spreadsheet import write_csv
from programs.models import Programme

from .. import selectors, services
from ..forms.public import FACET_LABELS, DirectoryForm
from ..models import Expert, Language, Sector, Speciality, known_codes

PAGE_SIZE = 20
# Kinds are text choices: str() gives their value, the name a query string uses.
DIRECTORY_PARAMS = frozenset(
    map(str, [*DirectoryForm.base_fields, *selectors.FACET_CHOICES, "page"])
)


def expert_directory(request):
    """The public directory. Visitors get whole pages from the cache; every change to an
    expert or its recognition invalidates them (services.directory_changed)."""
    return serve_page(
        request,
        name="directory",
        version_key=services.DIRECTORY_VERSION_KEY,
        render=lambda extra: _render_directory(request, extra),
        params=DIRECTORY_PARAMS,
        extra=str(timezone.localdate()),
    )


def _render_directory(request, extra: dict):
    form = DirectoryForm(request.GET or None)
    query = form.to_query() if request.GET else DirectoryForm({}).to_query()
    params = request.GET.copy()
    params.pop("page", None)
    page, facets = selectors.directory_page(
        query, number=request.GET.get("page"), per_page=PAGE_SIZE, today=timezone.localdate()
    )
    context = {
        "form": form,
        "query": query,
        "querystring": params.urlencode(),
        "page": page,
        "cards": _cards(page.object_list),
        "facets": [(kind, FACET_LABELS[kind], options) for kind, options in facets.items()],
        **extra,
    }
    context["body"] = render_to_string("companies/partials/directory_body.html", context)
    return render(request, "companies/directory.html", context)


def _cards(experts: selectors.ExpertsById) -> list[str]:
    """Each expert's card, the same on every page that lists it: rendered once per version of
    the directory's content (every change to an expert, its organisation or its recognition
    bumps it) and language, then read from the cache (the page's cards in one read; the
    experts fetched only for the cards it lacks)."""
    version = current_version(services.DIRECTORY_VERSION_KEY)

    def render(indices: list[int]) -> list[str | None]:
        rows = experts.fetch([experts.ids[n] for n in indices])
        return [
            expert_card_html(rows[pk])
            if (pk := experts.ids[n]) in rows
            else None  # gone since the index was read: the next version will not list it
            for n in indices
        ]

    if version is None:  # the cache is unreachable: nothing is kept
        cards = render(list(range(len(experts.ids))))
    else:
        language = get_language()
        keys = [f"expert-card:{version}:{language}:{pk}" for pk in experts.ids]
        cards = fragments(keys, render)
    # Our own rendering, escaped when rendered.
    return [mark_safe(card) for card in cards if card is not None]  # noqa: S308


def expert_card_html(expert: Expert) -> str:
    """companies/partials/expert_card.html, character for character, written in Python: a
    card through the template engine cost 0.42 ms, and a directory miss may render twenty
    (tests/companies/test_expert_card_in_python.py compares both)."""
    organisation = expert.organisation
    logo = (
        f'<img src="{escape(reverse("companies:expert_logo", args=[expert.slug]))}" alt=""'
        ' class="expert-logo" width="64" height="64" loading="lazy">'
        if expert.logo
        else ""
    )
    languages = ", ".join(conditional_escape(label) for label in expert.language_labels())
    specialities = "".join(
        '<li class="list-inline-item badge rounded-pill text-bg-primary-subtle'
        f' text-primary-emphasis">{conditional_escape(label)}</li>'
        for label in expert.speciality_labels()
    )
    return (
        "\n"
        '<article class="card mb-3 expert-card">\n'
        '  <div class="card-body d-flex gap-3">\n'
        f"    {logo}\n"
        "    <div>\n"
        f'      <h2 class="h5 mb-1"><a href="{escape(expert.get_absolute_url())}">'
        f"{conditional_escape(organisation.name)}</a></h2>\n"
        f'      <p class="small text-body-secondary mb-2">'
        f"{conditional_escape(organisation.municipality)} · "
        f"{conditional_escape(organisation.province_label)} · {languages}</p>\n"
        f'      <p class="mb-2">{escape(truncatewords(expert.description, 40))}</p>\n'
        '      <ul class="list-inline mb-0">\n'
        f"        {specialities}\n"
        "      </ul>\n"
        "    </div>\n"
        "  </div>\n"
        "</article>\n"
    )


EXPORT_FIELDS = [
    "name",
    "enterprise_number",
    "municipality",
    "postcode",
    "province",
    "specialities",
    "sectors",
    "languages",
    "programmes",
    "website",
    "public_email",
    "public_phone",
    "recognised_from",
    "recognised_until",
    "files_delivered",
    "url",
]


def _export_row(request, expert: Expert) -> dict:
    organisation = expert.organisation
    return {
        "name": organisation.name,
        "enterprise_number": organisation.enterprise_number_display,
        "municipality": organisation.municipality,
        "postcode": organisation.postcode,
        "province": organisation.province,
        "specialities": known_codes(expert.specialities, Speciality),
        "sectors": known_codes(expert.sectors, Sector),
        "languages": known_codes(expert.languages, Language),
        "programmes": known_codes(expert.programmes, Programme.Code),
        "website": organisation.website,
        "public_email": expert.public_email,
        "public_phone": expert.public_phone,
        "recognised_from": expert.recognised_from.isoformat(),
        "recognised_until": expert.recognised_until.isoformat(),
        "files_delivered": expert.files_delivered,
        "url": request.build_absolute_uri(expert.get_absolute_url()),
    }


def experts_export(request, fmt: str):
    """Open data: the directory (with the same filters) as CSV or JSON."""
    query = DirectoryForm(request.GET).to_query()
    experts = selectors.directory_results(query, today=timezone.localdate())
    rows = [_export_row(request, expert) for expert in experts]
    if fmt == "json":
        response = HttpResponse(
            json.dumps({"count": len(rows), "experts": rows}, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        write_csv(
            response,
            EXPORT_FIELDS,
            (
                ["|".join(v) if isinstance(v, list) else v for v in (row[k] for k in EXPORT_FIELDS)]
                for row in rows
            ),
        )
    response["Content-Disposition"] = f'attachment; filename="experts-ia-wallonie.{fmt}"'
    return response


def expert_detail(request, slug: str):
    expert = selectors.expert_public(slug=slug, today=timezone.localdate())
    if expert is None:
        raise Http404
    return render(request, "companies/expert_detail.html", {"expert": expert})


def expert_logo(request, slug: str):
    expert = get_object_or_404(Expert, slug=slug)
    visible = expert.is_listed_on(timezone.localdate()) or (
        request.user.is_authenticated
        and (
            has_role(request.user, *MANAGERS)
            or selectors.is_member(request.user, expert.organisation)
        )
    )
    if not visible or not expert.logo:
        raise Http404
    return logo_response(expert.logo, cache_control="public, max-age=3600")


def logo_response(image, *, cache_control: str) -> FileResponse:
    """An uploaded logo, served under the type its extension says and never sniffed."""
    response = FileResponse(image.open("rb"), content_type=_logo_type(image.name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache_control
    return response


def _logo_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower()
    return {
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "webp": "image/webp",
    }.get(extension, "application/octet-stream")
