"""What the database and the sink hold once a round is over: each applicant's file submitted
exactly once, with its documents and one reference; the programme-year's references without
gap or duplicate; each acknowledgement on the file page, in the outbox and received once."""

import time
from collections import Counter

from django.db.models import Count, Q
from django.utils import timezone

from adn_portal.mailer.models import OutgoingEmail
from applications.models import ApplicantMessage, Application, ApplicationEvent, Attachment
from applications.workflow import Status

from .applicants import applicants_of
from .stack import Stack


def drain(stack: Stack, addresses: set[str], timeout: float = 180) -> None:
    """Wait until the sink holds an e-mail for every address, or the outbox has nothing left to
    send for them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = {to for to, _at in stack.received()}
        if addresses <= got:
            return
        if not OutgoingEmail.objects.filter(to__in=addresses, sent_at__isnull=True).exists():
            time.sleep(1)  # sent but still on its way to the sink
            return
        time.sleep(0.5)


def verify(prefix: str, applicants: int, stack: Stack) -> list[tuple[str, bool, str]]:
    """What the database and the sink hold after the round: (check, passed, details)."""
    users = applicants_of(prefix)
    addresses = set(users.values_list("email", flat=True))
    files = Application.objects.filter(created_by__in=users).annotate(
        versions_n=Count("versions", distinct=True),
        documents=Count("attachments", distinct=True),
        frozen=Count("attachments", filter=Q(attachments__version__isnull=False), distinct=True),
        quotes=Count(
            "attachments", filter=Q(attachments__kind=Attachment.Kind.QUOTE), distinct=True
        ),
        acknowledgements=Count(
            "messages",
            filter=Q(messages__kind=ApplicantMessage.Kind.ACKNOWLEDGEMENT),
            distinct=True,
        ),
        submissions=Count(
            "events",
            filter=Q(
                events__kind=ApplicationEvent.Kind.TRANSITION,
                events__to_status=Status.SUBMITTED,
            ),
            distinct=True,
        ),
    )
    rows = list(files)
    per_organisation = Counter(f.organisation_id for f in rows)
    submitted = [f for f in rows if f.status == Status.SUBMITTED and f.reference]
    once = [f for f in submitted if f.versions_n == 1 and f.submissions == 1]
    documented = [f for f in rows if f.documents == 2 and f.frozen == 2 and f.quotes == 1]
    acknowledged = [f for f in rows if f.acknowledgements == 1]
    references = [f.reference for f in rows if f.reference]

    # Every reference of the programme-year, this round's and earlier ones': 1..n, each once.
    year = timezone.localdate().year
    numbers = sorted(
        int(reference.rsplit("-", 1)[1])
        for reference in Application.objects.filter(
            reference__startswith=f"TREMPLIN-{year}-"
        ).values_list("reference", flat=True)
    )
    duplicates = len(numbers) - len(set(numbers))
    gaps = sorted(set(range(1, (numbers[-1] if numbers else 0) + 1)) - set(numbers))

    outbox = Counter(OutgoingEmail.objects.filter(to__in=addresses).values_list("to", flat=True))
    unsent = OutgoingEmail.objects.filter(to__in=addresses, sent_at__isnull=True).count()
    uncertain = OutgoingEmail.objects.filter(to__in=addresses, delivery_uncertain=True).count()
    received = Counter(to for to, _at in stack.received() if to in addresses)
    twice = sorted(to for to, n in received.items() if n > 1)
    return [
        (
            "one file per applicant, submitted, with a reference",
            len(rows) == applicants
            and max(per_organisation.values(), default=0) == 1
            and len(submitted) == applicants,
            f"{len(submitted)} submitted of {applicants} applicants ({len(rows)} files)",
        ),
        (
            "submitted once: one version, one transition",
            len(once) == applicants,
            f"{len(once)} of {applicants}",
        ),
        (
            "two documents each, both frozen in the version, one quote",
            len(documented) == applicants,
            f"{len(documented)} of {applicants}",
        ),
        (
            "one reference each, no duplicate",
            len(set(references)) == len(references) == applicants,
            f"{len(set(references))} distinct of {len(references)}",
        ),
        (
            "programme-year references 1..n without gap or duplicate",
            not gaps and not duplicates,
            f"{len(numbers)} references, {len(gaps)} gaps, {duplicates} duplicates",
        ),
        (
            "one acknowledgement on each file page",
            len(acknowledged) == applicants,
            f"{len(acknowledged)} of {applicants}",
        ),
        (
            "one acknowledgement e-mail each in the outbox, all sent, none uncertain",
            len(outbox) == applicants
            and max(outbox.values(), default=0) == 1
            and not unsent
            and not uncertain,
            f"{sum(outbox.values())} rows for {len(outbox)} applicants, {unsent} unsent, "
            f"{uncertain} uncertain",
        ),
        (
            "every acknowledgement received exactly once (SMTP sink)",
            len(received) == applicants and not twice,
            f"{sum(received.values())} received for {len(received)} applicants"
            + (f", twice: {', '.join(twice[:5])}" if twice else ""),
        ),
    ]
