"""The public's page of the applications app: "Which programme for me?" (applications/finder.py),
before any sign-up."""

from django.shortcuts import render
from django.utils import timezone

from .. import finder
from ..forms.public import ProgrammeFinderForm


def programme_finder(request):
    # Answers come in the query string: a result can be bookmarked or sent to a colleague.
    form = ProgrammeFinderForm(request.GET if "kind" in request.GET else None)
    recommendation = None
    if form.is_bound and form.is_valid():
        recommendation = finder.recommend(form.answers(), now=timezone.now())
    return render(
        request,
        "applications/programme_finder.html",
        {"form": form, "recommendation": recommendation},
    )
