"""The person's notifications and how they reach them: pages for anyone signed in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from adn_portal.lib.pagination import page_with_total

from . import selectors, services
from .forms import PREFERENCES_HELP, PreferencesForm

PAGE_SIZE = 30


@login_required
def notification_list(request):
    page = page_with_total(
        selectors.notifications_of(request.user), request.GET.get("page"), PAGE_SIZE
    )
    rows = [(n, services.notification_text(n)) for n in page.object_list]
    return render(request, "accounts/notifications.html", {"page": page, "rows": rows})


def _local_path(url: str) -> str:
    """The notification's page: a path of this site (written by the portal, checked anyway)."""
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return "/"


@login_required
def notification_open(request, pk: int):
    """Follow a notification: it is read, and the person lands on its page."""
    notification = selectors.notification_of(user=request.user, pk=pk)
    if notification is None:
        raise Http404
    services.notification_read(notification=notification, user=request.user)
    return redirect(_local_path(notification.url))


@login_required
@require_POST
def notifications_read_all(request):
    services.notifications_read_all(user=request.user)
    messages.success(request, _("Every notification is marked as read."))
    return redirect("notifications:list")


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, current=selectors.preferences_of(request.user))
    if request.method == "POST":
        if form.is_valid():
            services.notification_preferences_save(user=request.user, choices=form.choices())
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
        status = 400
    else:
        status = 200
    return render(
        request,
        "accounts/notification_preferences.html",
        {"form": form, "help": PREFERENCES_HELP},
        status=status,
    )
