"""Tamper-evident records (docs/domain.md, A record nobody can rewrite silently).

The audit log is one chain and each file's timeline another. Every event stores the digest of
its content (SHA-256 over a canonical JSON form) and its link: an HMAC-SHA256, under
RECORD_CHAIN_KEY, of the previous event's link and this digest. The writer locks the chain's
head row, links to it and moves it, in the transaction that writes the event: two writers never
link to the same previous event, and the head names the chain's last event.

An event changed, deleted or inserted behind the portal's back no longer links; forging the
links needs the key, which is kept outside the database. A lawful erasure changes audit rows in
the open: each changed row's new digest is kept in an AuditRedaction row, and the erasure's own
audit event (itself chained) carries the digest of all of them."""

import hashlib
import hmac
import ipaddress
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, connections, models

from .models import AuditEvent, AuditRedaction, BreakReason, ChainHead

AUDIT_CHAIN = "audit"
GENESIS = "0" * 64


# ---------------------------------------------------------------------------------------------
# Digests and links


def _canonical(value: Any) -> Any:
    """The value as any database gives it back: datetimes in UTC to the microsecond, integral
    floats as integers (PostgreSQL's jsonb writes 1e20 back as 100000000000000000000)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


def as_stored_json(value: Any) -> Any:
    """A JSON field's value as it reads back: encoded the way the field stores it, decoded."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def as_stored_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return value


def content_digest(content: Mapping[str, Any]) -> str:
    text = json.dumps(
        _canonical(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode()).hexdigest()


def link_of(previous: str, digest: str) -> str:
    key = settings.RECORD_CHAIN_KEY.encode()
    return hmac.new(key, f"{previous}:{digest}".encode(), hashlib.sha256).hexdigest()


def audit_content(values: Mapping[str, Any]) -> dict:
    """What an audit row's digest covers, from the row or from its `values()`."""
    return {
        "at": values["at"],
        "user": values["user_id"],
        "action": values["action"],
        "ip": as_stored_ip(values["ip"]),
        "path": values["path"],
        "details": as_stored_json(values["details"]),
    }


AUDIT_FIELDS = ("at", "user_id", "action", "ip", "path", "details")


# ---------------------------------------------------------------------------------------------
# Writing


def chain_append(chain: str, digest: str) -> tuple[int, str]:
    """Link a digest to the end of a chain: lock its head (made on first use), move it, and
    return the event's place and link. Inside the event's transaction: the lock is held until
    it commits, so concurrent writers take turns and the chain cannot fork."""
    head = ChainHead._meta.db_table
    with connection.cursor() as cursor:
        # One statement makes the head if needed and locks it (the no-op update takes the row).
        cursor.execute(
            f"INSERT INTO {head} (chain, length, link) VALUES (%s, 0, %s) "  # noqa: S608 — our table
            f"ON CONFLICT (chain) DO UPDATE SET length = {head}.length "
            "RETURNING length, link",
            [chain, GENESIS],
        )
        length, previous = cursor.fetchone()
        seq, link = length + 1, link_of(previous, digest)
        cursor.execute(
            f"UPDATE {head} SET length = %s, link = %s WHERE chain = %s",  # noqa: S608
            [seq, link, chain],
        )
    return seq, link


def chain_insert(event, *, using: str) -> None:
    """PostgreSQL: seal and store a new event in one statement, with no transaction of its own
    (`chain_append` + the INSERT took five: BEGIN, lock, move, insert, COMMIT). The statement
    moves the chain's head and inserts the event together, on condition that the head is still
    the one the link was computed from; it also returns the head as it found it. The head the
    link starts from is the one this process last wrote or found (`_ENDS`): a guess, never an
    answer. When another writer linked since (or the guess's transaction rolled back), nothing
    is written and the statement's head is the next guess; the first write of a chain in a
    process reads its head first. The link cannot be computed by the database: its key stays
    outside it. The moved head stays locked until the enclosing transaction ends, as with
    `chain_append`: writers take turns, the event and the head's move commit or roll back
    together, and the chain cannot fork."""
    connection = connections[using]
    meta = type(event)._meta
    quote = connection.ops.quote_name
    head = quote(ChainHead._meta.db_table)
    fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    pk = quote(meta.pk.column)
    insert = (
        f"WITH moved AS (UPDATE {head} SET length = %s, link = %s "  # noqa: S608 — our tables
        "WHERE chain = %s AND length = %s AND link = %s RETURNING 1), "
        f"event AS (INSERT INTO {quote(meta.db_table)} ({columns}) SELECT {placeholders} "
        f"FROM moved RETURNING {pk}) "
        f"SELECT (SELECT {pk} FROM event), length, link FROM {head} WHERE chain = %s"
    )
    chain = event.chain_name()
    event.digest = content_digest(event.chain_content())
    with connection.cursor() as cursor:
        end = _ENDS.get((using, chain)) or _chain_end(cursor, head, chain)
        for _attempt in range(CHAIN_INSERT_ATTEMPTS):
            length, previous = end
            event.chain_seq, event.link = length + 1, link_of(previous, event.digest)
            values = [f.get_db_prep_save(f.pre_save(event, True), connection) for f in fields]
            cursor.execute(
                insert, [event.chain_seq, event.link, chain, length, previous, *values, chain]
            )
            row = cursor.fetchone()
            if row is not None and row[0] is not None:
                _remember(using, chain, (event.chain_seq, event.link))
                event.pk = row[0]
                event._state.adding, event._state.db = False, using
                return
            # Linked by another writer meanwhile: the head as the statement saw it, or (no
            # head yet) made now.
            end = row[1:] if row is not None else _chain_end(cursor, head, chain)
    _ENDS.pop((using, chain), None)
    raise RuntimeError(f"Chain {chain!r}: the head moved under {CHAIN_INSERT_ATTEMPTS} tries.")


# Each retry means another writer's event was linked: only a crowd that large makes one fail.
CHAIN_INSERT_ATTEMPTS = 1000

# {(database, chain): (length, link)} this process last wrote: where its next event's link
# probably starts (checked by the statement that writes it). Bounded: files' chains are many.
_ENDS: dict[tuple[str, str], tuple[int, str]] = {}


def _remember(using: str, chain: str, end: tuple[int, str]) -> None:
    if len(_ENDS) >= 1000:
        _ENDS.clear()
    _ENDS[(using, chain)] = end


def _chain_end(cursor, head: str, chain: str) -> tuple[int, str]:
    cursor.execute(f"SELECT length, link FROM {head} WHERE chain = %s", [chain])  # noqa: S608
    row = cursor.fetchone()
    if row is not None:
        return row
    # A new chain: made here, or by another writer meanwhile (then the move finds it moved).
    cursor.execute(
        f"INSERT INTO {head} (chain, length, link) VALUES (%s, 0, %s) "  # noqa: S608
        "ON CONFLICT (chain) DO NOTHING",
        [chain, GENESIS],
    )
    return 0, GENESIS


def seal(event) -> None:
    """Give a new event its digest, place and link (called by ChainedEvent.save)."""
    event.digest = content_digest(event.chain_content())
    event.chain_seq, event.link = chain_append(event.chain_name(), event.digest)


def seal_history(
    rows: Iterable,
    *,
    chain_of: Callable[[Any], str],
    content: Callable[[Any], Mapping],
    save: Callable[[list], None],
    heads=ChainHead.objects,
    batch: int = 2000,
) -> None:
    """Seal events written before the chains existed (the data migrations) or generated history
    whose moments were set afterwards (the demo), each chain from its start, in the order
    given; `save` stores a batch of sealed rows. Never for live records: an event is sealed
    once, when it is written."""
    ends: dict[str, tuple[int, str]] = {}
    pending = []
    for row in rows:
        chain = chain_of(row)
        length, previous = ends.get(chain, (0, GENESIS))
        row.digest = content_digest(content(row))
        row.chain_seq, row.link = length + 1, link_of(previous, row.digest)
        ends[chain] = (row.chain_seq, row.link)
        pending.append(row)
        if len(pending) >= batch:
            save(pending)
            pending = []
    if pending:
        save(pending)
    for chain, (length, link) in ends.items():
        heads.update_or_create(chain=chain, defaults={"length": length, "link": link})


# ---------------------------------------------------------------------------------------------
# Lawful erasure


def redactions_digest(digests: Mapping[int, str]) -> str:
    text = "".join(f"{pk}:{digest}\n" for pk, digest in sorted(digests.items()))
    return hashlib.sha256(text.encode()).hexdigest()


class Redactions:
    """The audit rows one erasure changes, changed in the open: each row's new digest is kept
    and the erasure's audit event vouches for all of them (its details hold their digest)."""

    def __init__(self) -> None:
        self.digests: dict[int, str] = {}

    def change(self, event: AuditEvent, **values) -> None:
        AuditEvent.objects.filter(pk=event.pk).update(**values)
        for name, value in values.items():
            setattr(event, name, value)
        self.digests[event.pk] = content_digest(event.chain_content())

    def summary(self) -> dict:
        return {"rows": len(self.digests), "digest": redactions_digest(self.digests)}

    def record(self, erasure: AuditEvent) -> None:
        AuditRedaction.objects.bulk_create(
            AuditRedaction(event_id=pk, erasure=erasure, digest=digest)
            for pk, digest in self.digests.items()
        )


# ---------------------------------------------------------------------------------------------
# Verifying


@dataclass(frozen=True)
class Break:
    chain: str
    seq: int | None
    event: int | None
    reason: BreakReason

    def as_dict(self) -> dict:
        return {"chain": self.chain, "seq": self.seq, "event": self.event, "reason": self.reason}


@dataclass
class Walk:
    """The result of walking chains: events read, chains seen, the first broken link of each
    broken chain, and each intact chain's last (place, link)."""

    events: int = 0
    chains: int = 0
    breaks: list[Break] = field(default_factory=list)
    ends: dict[str, tuple[int, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    chain: str
    pk: int
    seq: int | None
    digest: str
    link: str
    content: Mapping[str, Any]


def walk(
    rows: Iterator[Row],
    *,
    heads: Mapping[str, tuple[int, str]],
    redacted: Mapping[int, str] | None = None,
) -> Walk:
    """Check every event of every chain, `rows` sorted by chain, then place. A chain's first
    broken link is reported and the rest of that chain skipped. `redacted` maps an event to
    the digest a lawful erasure left it with."""
    redacted = redacted or {}
    result = Walk()
    heads = dict(heads)
    current: str | None = None
    expected, previous, broken = 1, GENESIS, False

    def close() -> None:
        if current is None or broken:
            return
        end = (expected - 1, previous)
        if heads.pop(current, None) != end:
            result.breaks.append(Break(current, expected - 1, None, BreakReason.HEAD))
        else:
            result.ends[current] = end

    for row in rows:
        if row.chain != current:
            close()
            heads.pop(current, None)
            current, expected, previous, broken = row.chain, 1, GENESIS, False
            result.chains += 1
        result.events += 1
        if broken:
            continue
        reason = _check(row, expected, previous, redacted)
        if reason is not None:
            result.breaks.append(Break(row.chain, row.seq, row.pk, reason))
            broken = True
            continue
        expected, previous = row.seq + 1, row.link
    close()
    heads.pop(current, None)
    for chain, (length, _link) in heads.items():
        if length:
            result.breaks.append(Break(chain, None, None, BreakReason.EMPTIED))
    return result


def _check(row: Row, expected: int, previous: str, redacted: Mapping[int, str]):
    if row.seq is None or not row.digest or not row.link:
        return BreakReason.UNSEALED
    if row.seq != expected:
        return BreakReason.MISSING if row.seq > expected else BreakReason.LINK
    digest = content_digest(row.content)
    if digest != row.digest and redacted.get(row.pk) != digest:
        return BreakReason.CHANGED
    if link_of(previous, row.digest) != row.link:
        return BreakReason.LINK
    return None


def heads_of(prefix: str) -> dict[str, tuple[int, str]]:
    return {
        chain: (length, link)
        for chain, length, link in ChainHead.objects.filter(chain__startswith=prefix).values_list(
            "chain", "length", "link"
        )
    }


def audit_rows() -> Iterator[Row]:
    events = AuditEvent.objects.order_by(models.F("chain_seq").asc(nulls_last=True), "pk")
    for values in events.values("pk", "chain_seq", "digest", "link", *AUDIT_FIELDS).iterator(
        chunk_size=5000
    ):
        yield Row(
            AUDIT_CHAIN,
            values["pk"],
            values["chain_seq"],
            values["digest"],
            values["link"],
            audit_content(values),
        )


def lawful_redactions() -> tuple[dict[int, str], list[Break]]:
    """Each redacted audit row's digest after its latest erasure, and the erasures whose record
    of their redactions does not match what their audit event vouches for."""
    by_erasure: dict[int, dict[int, str]] = {}
    latest: dict[int, tuple[int, str]] = {}
    for event, erasure, seq, digest in AuditRedaction.objects.values_list(
        "event_id", "erasure_id", "erasure__chain_seq", "digest"
    ):
        by_erasure.setdefault(erasure, {})[event] = digest
        if event not in latest or (seq or 0) > latest[event][0]:
            latest[event] = (seq or 0, digest)
    breaks = []
    vouched = AuditEvent.objects.filter(
        action=AuditEvent.Action.ERASURE, details__has_key="redacted"
    )
    claimed = {
        pk: (seq, details) for pk, seq, details in vouched.values_list("pk", "chain_seq", "details")
    }
    for erasure in set(by_erasure) | set(claimed):
        seq, details = claimed.get(erasure, (None, {}))
        summary = details.get("redacted") or {}
        digests = by_erasure.get(erasure, {})
        if summary != {"rows": len(digests), "digest": redactions_digest(digests)}:
            breaks.append(Break(AUDIT_CHAIN, seq, erasure, BreakReason.REDACTION))
    return {event: digest for event, (_seq, digest) in latest.items()}, breaks
