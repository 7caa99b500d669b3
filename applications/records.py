"""Verifying the tamper-evident records (docs/domain.md, A record nobody can rewrite silently):
the audit log's chain and each file's timeline, walked from their first event, each link
recomputed. Run by `manage.py verify_records` and a daily task; staff read the last result."""

import logging
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from adn_portal.accounts import chains
from adn_portal.accounts.chains import Break, Row
from adn_portal.accounts.models import AuditEvent, BreakReason, RecordCheck

from .models import TIMELINE_FIELDS, ApplicationEvent, timeline_chain, timeline_content

logger = logging.getLogger(__name__)

BREAKS_KEPT = 100  # a check that finds more keeps the first ones (each is a chain's first)


def records_verify(*, trigger: str) -> RecordCheck:
    """Walk every chain in one snapshot of the database and store the result."""
    check = RecordCheck.objects.create(trigger=trigger)
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            # One snapshot for the events and the heads: a file moving meanwhile is no break.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        audit, audit_breaks = _walk_audit_log()
        files = chains.walk(_timeline_rows(), heads=chains.heads_of("file:"))
    breaks = audit_breaks + files.breaks
    end = audit.ends.get(chains.AUDIT_CHAIN)
    RecordCheck.objects.filter(pk=check.pk).update(
        finished_at=timezone.now(),
        intact=not breaks,
        events=audit.events + files.events,
        chains=audit.chains + files.chains,
        breaks=[entry.as_dict() for entry in breaks[:BREAKS_KEPT]],
        audit_seq=end[0] if end else None,
        audit_link=end[1] if end else "",
    )
    check.refresh_from_db()
    if breaks:
        logger.error("Records verification %s: %s broken chain(s)", check.pk, len(breaks))
    else:
        logger.info(
            "Records verification %s: %s events intact; audit log ends at %s %s",
            check.pk,
            check.events,
            check.audit_seq,
            check.audit_link,
        )
    return check


def _walk_audit_log() -> tuple[chains.Walk, list[Break]]:
    redacted, breaks = chains.lawful_redactions()
    audit = chains.walk(
        chains.audit_rows(), heads=chains.heads_of(chains.AUDIT_CHAIN), redacted=redacted
    )
    breaks = audit.breaks + breaks + _lost_anchor()
    return audit, breaks


def _lost_anchor() -> list[Break]:
    """The audit log's end at the last intact check must still be there: events removed from
    the end, with the head moved back, are found here."""
    anchor = (
        RecordCheck.objects.filter(intact=True, audit_seq__isnull=False)
        .values_list("audit_seq", "audit_link")
        .first()
    )
    if anchor is None:
        return []
    seq, link = anchor
    event = AuditEvent.objects.filter(chain_seq=seq).values_list("pk", "link").first()
    if event is not None and event[1] == link:
        return []
    return [Break(chains.AUDIT_CHAIN, seq, event[0] if event else None, BreakReason.ANCHOR)]


def _timeline_rows() -> Iterator[Row]:
    events = ApplicationEvent.objects.order_by(
        "application_id", F("chain_seq").asc(nulls_last=True), "pk"
    )
    for values in events.values("pk", "chain_seq", "digest", "link", *TIMELINE_FIELDS).iterator(
        chunk_size=5000
    ):
        yield Row(
            timeline_chain(values["application_id"]),
            values["pk"],
            values["chain_seq"],
            values["digest"],
            values["link"],
            timeline_content(values),
        )
