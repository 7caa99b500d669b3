"""The public pages: the home page, a programme and a call (staff also preview unpublished
calls)."""

from django.http import Http404
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
