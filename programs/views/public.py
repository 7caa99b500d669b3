"""The public pages: the home page, a programme and a call (staff also preview unpublished
calls)."""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone

from adn_portal.accounts.permissions import is_staff_member
from programs import selectors


def home(request):
    now = timezone.now()
    return render(
        request,
        "programs/home.html",
        {
            "programmes": selectors.programmes_in_order(),
            "open_calls": selectors.calls_open(now=now)[:6],
        },
    )


def programme_detail(request, slug: str):
    found = selectors.programme_with_calls(slug=slug, now=timezone.now())
    if found is None:
        raise Http404
    programme, calls = found
    return render(
        request, "programs/programme_detail.html", {"programme": programme, "calls": calls}
    )


def call_detail(request, slug: str):
    # Staff preview calls before they are published; everyone else sees published calls only.
    call = selectors.call_detail(slug=slug, include_unpublished=is_staff_member(request.user))
    if call is None:
        raise Http404
    return render(request, "programs/call_detail.html", {"call": call, "now": timezone.now()})


def call_document(request, slug: str, document_pk: int):
    """A document of a call's page, public once the call is (staff preview the others)."""
    document = selectors.call_document(
        slug=slug, document_pk=document_pk, include_unpublished=is_staff_member(request.user)
    )
    if document is None:
        raise Http404
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
