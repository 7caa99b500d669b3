"""What the applicant's and the staff's views share."""

from django.http import Http404


def or_404(found):
    """What a selector found, or a 404 when it found nothing (None)."""
    if found is None:
        raise Http404
    return found
