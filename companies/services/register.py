"""Loading the enterprise register from the Crossroads Bank for Enterprises' open data
(docs/domain.md, The enterprise register): a full extract or an update extract, each applied
once, in one transaction, by its number. Each CSV is streamed from the zip into a temporary
table by COPY; the register tables then change by a few set-based statements, so that the
2 million enterprises of a full extract take minutes and an extract that changes nothing
writes nothing. PostgreSQL only (COPY)."""

import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction

from .. import kbo, register
from ..models import (
    Organisation,
    RegisterCode,
    RegisteredActivity,
    RegisteredAddress,
    RegisteredEnterprise,
    RegisteredName,
    RegisterExtract,
)

logger = logging.getLogger(__name__)

ENTERPRISE_NUMBER = r"^[01][0-9]{3}\.[0-9]{3}\.[0-9]{3}$"  # establishments are 2.xxx.xxx.xxx
KEPT_NACE_VERSIONS = ("2008", "2025")
# For the import's sorts and hashes (bench/results/README.md: the PostgreSQL backend's peak).
WORK_MEM = "256MB"


class RegisterError(Exception):
    pass


# The register's tables and, for each child table, its columns in the order the clean temporary
# tables give them (the import's statements are written from these lists).
ENTERPRISES = RegisteredEnterprise._meta.db_table
CHILDREN = {
    "denomination": (RegisteredName._meta.db_table, ("language", "kind", "name")),
    "address": (
        RegisteredAddress._meta.db_table,
        (
            "kind",
            "country_nl",
            "country_fr",
            "zipcode",
            "municipality_nl",
            "municipality_fr",
            "street_nl",
            "street_fr",
            "house_number",
            "box",
            "extra",
            "struck_off",
            "street",
        ),
    ),
    "activity": (
        RegisteredActivity._meta.db_table,
        ("group", "nace_version", "nace_code", "classification"),
    ),
}
NULLABLE = {"struck_off"}

# The rows of each file the register keeps, filtered as COPY reads them (our SQL, on the file's
# columns): the enterprises' rows (their numbers start with 0 or 1, establishments' with 2 to
# 8), and of activity.csv the NACE versions kept. `CLEAN` checks the numbers in full.
ENTERPRISE_ROWS = "left(entity_number, 1) IN ('0', '1')"
KEEP = {
    "denomination": ENTERPRISE_ROWS,
    "address": ENTERPRISE_ROWS,
    "activity": ENTERPRISE_ROWS
    + " AND nace_version IN ("
    + ", ".join(f"'{version}'" for version in KEPT_NACE_VERSIONS)
    + ")",
}

# From a staged row (its columns named after the file's, in snake case) to a register row.
CLEAN = {
    "denomination": """
        SELECT DISTINCT replace(entity_number, '.', '') AS enterprise_number,
               coalesce(language, '') AS language, coalesce(type_of_denomination, '') AS kind,
               left(coalesce(denomination, ''), 320) AS name
        FROM {stage} WHERE entity_number ~ %(enterprise)s""",
    "address": """
        SELECT DISTINCT replace(entity_number, '.', '') AS enterprise_number,
               coalesce(type_of_address, '') AS kind, coalesce(country_nl, '') AS country_nl,
               coalesce(country_fr, '') AS country_fr, coalesce(zipcode, '') AS zipcode,
               coalesce(municipality_nl, '') AS municipality_nl,
               coalesce(municipality_fr, '') AS municipality_fr,
               coalesce(street_nl, '') AS street_nl, coalesce(street_fr, '') AS street_fr,
               coalesce(house_number, '') AS house_number, coalesce(box, '') AS box,
               coalesce(extra_address_info, '') AS extra,
               to_date(nullif(date_striking_off, ''), 'DD-MM-YYYY') AS struck_off,
               -- The one formula of a register street (companies/register.py reads it).
               left(concat_ws(' ',
                   coalesce(nullif(street_fr, ''), street_nl),
                   nullif(house_number, ''),
                   CASE WHEN coalesce(box, '') <> '' THEN 'bte ' || box END), 260) AS street
        FROM {stage} WHERE entity_number ~ %(enterprise)s""",
    "activity": """
        SELECT DISTINCT replace(entity_number, '.', '') AS enterprise_number,
               coalesce(activity_group, '') AS "group", nace_version,
               coalesce(nace_code, '') AS nace_code,
               coalesce(classification, '') AS classification
        FROM {stage}
        WHERE entity_number ~ %(enterprise)s AND nace_version = ANY(%(versions)s)""",
}


@dataclass
class Outcome:
    extract: RegisterExtract | None
    message: str


def register_extract_apply(*, path: Path) -> Outcome:
    """Apply one extract (a zip as the FPS Economy publishes it), once: an extract already
    applied, or older than the register, changes nothing; an update that does not follow the
    last extract applied is refused (one is missing)."""
    if connection.vendor != "postgresql":
        raise RegisterError("The register is loaded on PostgreSQL only (COPY).")
    meta = kbo.read_meta(path)
    started = time.monotonic()
    with transaction.atomic():
        # One import at a time: the second waits, then finds its extract applied.
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {RegisterExtract._meta.db_table} IN EXCLUSIVE MODE")
        last = RegisterExtract.objects.first()
        if RegisterExtract.objects.filter(number=meta.number).exists():
            return Outcome(None, f"{path.name}: extract {meta.number} is already applied.")
        if last is not None and meta.number < last.number:
            return Outcome(
                None, f"{path.name}: extract {meta.number} is older than {last.number}: skipped."
            )
        if not meta.full and (last is None or meta.number != last.number + 1):
            expected = "a full extract" if last is None else f"extract {last.number + 1}"
            raise RegisterError(
                f"{path.name}: update extract {meta.number} cannot follow; {expected} is needed "
                "first (the FPS Economy keeps the last ones; a full extract always does)."
            )
        with kbo.open_archive(path) as archive, connection.cursor() as cursor:
            # This transaction's statements sort and hash millions of rows: memory for them
            # (the default 4 MB spills each to disk in many batches), and no JIT compilation
            # (up to a second per statement, for statements that each run once).
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            cursor.execute("SET LOCAL jit = off")
            # The rows of a file, already in the order of their numbers, are made distinct by
            # sorting them (kept in that order for the register's index) rather than by a hash
            # table of millions of rows spilled to disk and then sorted.
            cursor.execute("SET LOCAL enable_hashagg = off")
            changed = (_apply_full if meta.full else _apply_update)(cursor, archive, meta)
            _replace_codes(cursor, archive)
            # Statistics of the tables as they now are: the next update's statements (and the
            # look-ups) are planned on them, not on those of an empty register.
            for table in (ENTERPRISES, *(table for table, _columns in CHILDREN.values())):
                cursor.execute(f"ANALYZE {table}")
        extract = RegisterExtract.objects.create(
            number=meta.number,
            kind=RegisterExtract.Kind.FULL if meta.full else RegisterExtract.Kind.UPDATE,
            snapshot_date=meta.snapshot_date,
            extract_timestamp=meta.extract_timestamp,
            version=meta.version,
            file_name=path.name,
            changed=changed,
            enterprises=RegisteredEnterprise.objects.filter(
                status=RegisteredEnterprise.ACTIVE
            ).count(),
        )
        matched = organisations_match_register(extract=extract)
        extract.seconds = time.monotonic() - started
        extract.save(update_fields=["seconds"])
    message = (
        f"{path.name}: {meta.kind} extract {meta.number} of {meta.snapshot_date} applied in "
        f"{extract.seconds:.1f} s: {changed} enterprise rows added, changed or stopped, "
        f"{extract.enterprises} active; {matched} organisations match it."
    )
    logger.info(message)
    return Outcome(extract, message)


def register_folder_import(*, folder: Path) -> list[Outcome]:
    """Apply the extracts of a folder that the register has not seen, in order: from the newest
    full extract among them (the older ones are superseded), then each update after it."""
    extracts = []
    for path in sorted(folder.glob("*.zip")):
        try:
            extracts.append((kbo.read_meta(path), path))
        except kbo.ExtractError as error:
            logger.error("%s", error)
    last = RegisterExtract.objects.first()
    new = sorted(
        ((meta, path) for meta, path in extracts if last is None or meta.number > last.number),
        key=lambda pair: pair[0].number,
    )
    fulls = [index for index, (meta, _path) in enumerate(new) if meta.full]
    if fulls:
        new = new[fulls[-1] :]
    return [register_extract_apply(path=path) for _meta, path in new]


# ---------------------------------------------------------------------------------------------
# The statements


def _stage(
    cursor, archive, member: str, columns: tuple[str, ...], *, where: str = ""
) -> str | None:
    """COPY one CSV of the zip into a temporary table of text columns; its name, or None when
    the extract has no such file. `where` (our SQL, on the file's columns) keeps only the rows
    the register needs, so that the others are never written (most of activity.csv)."""
    stream = kbo.open_member(archive, member, columns)
    if stream is None:
        return None
    table = "stage_" + member.removesuffix(".csv")
    names = [_snake(column) for column in columns]
    cursor.execute(
        f"CREATE TEMPORARY TABLE {table} ({', '.join(f'{n} text' for n in names)}) ON COMMIT DROP"
    )
    with stream:
        cursor.copy_expert(
            f"COPY {table} ({', '.join(names)}) FROM STDIN "
            "WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')"
            + (f" WHERE {where}" if where else ""),
            stream,
            size=1 << 20,
        )
    cursor.execute(f"ANALYZE {table}")
    return table


def _snake(column: str) -> str:
    """EnterpriseNumber → enterprise_number, JuridicalFormCAC → juridical_form_cac."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", column).lower()


def _clean(cursor, name: str, stage: str) -> str:
    table = f"clean_{name}"
    # In the order of the enterprise numbers: the rows then go into the register's index on
    # them page after page, not at random places of an index too large for memory.
    cursor.execute(
        f"CREATE TEMPORARY TABLE {table} ON COMMIT DROP AS SELECT * FROM ("  # noqa: S608 — ours
        + CLEAN[name].format(stage=stage)
        + ") AS c ORDER BY enterprise_number",
        {"enterprise": ENTERPRISE_NUMBER, "versions": list(KEPT_NACE_VERSIONS)},
    )
    # No index: a full extract's tables are compared whole (hash joins), an update's few rows
    # are looked up in the register's own index.
    cursor.execute(f"ANALYZE {table}")
    return table


def _upsert_enterprises(cursor, stage: str, meta: kbo.Meta) -> int:
    cursor.execute(
        f"""
        INSERT INTO {ENTERPRISES} AS e (number, status, juridical_situation, type_of_enterprise,
            juridical_form, juridical_form_cac, start_date, stopped_on, extract)
        SELECT DISTINCT ON (replace(enterprise_number, '.', ''))
               replace(enterprise_number, '.', ''), coalesce(status, ''),
               coalesce(juridical_situation, ''), coalesce(type_of_enterprise, ''),
               coalesce(juridical_form, ''), coalesce(juridical_form_cac, ''),
               to_date(nullif(start_date, ''), 'DD-MM-YYYY'), NULL::date, %(number)s
        FROM {stage} WHERE enterprise_number ~ %(enterprise)s
        ON CONFLICT (number) DO UPDATE SET
            status = EXCLUDED.status, juridical_situation = EXCLUDED.juridical_situation,
            type_of_enterprise = EXCLUDED.type_of_enterprise,
            juridical_form = EXCLUDED.juridical_form,
            juridical_form_cac = EXCLUDED.juridical_form_cac,
            start_date = EXCLUDED.start_date, stopped_on = NULL, extract = EXCLUDED.extract
        WHERE (e.status, e.juridical_situation, e.type_of_enterprise, e.juridical_form,
               e.juridical_form_cac, e.start_date, e.stopped_on)
              IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.juridical_situation,
               EXCLUDED.type_of_enterprise, EXCLUDED.juridical_form,
               EXCLUDED.juridical_form_cac, EXCLUDED.start_date, NULL::date)
        """,  # noqa: S608 — table names are ours
        {"number": meta.number, "enterprise": ENTERPRISE_NUMBER},
    )
    return cursor.rowcount


def _stop(cursor, meta: kbo.Meta, *, still_listed: str, only: str | None = None) -> int:
    """Enterprises that left the register: no longer listed (in a full extract), or deleted
    and not inserted again (in an update)."""
    among = (
        f"AND e.number IN (SELECT replace(enterprise_number, '.', '') FROM {only})"  # noqa: S608
        if only
        else ""
    )
    cursor.execute(
        f"""
        UPDATE {ENTERPRISES} e SET status = %(stopped)s, stopped_on = %(snapshot)s,
               extract = %(number)s
        WHERE e.status <> %(stopped)s {among}
          AND NOT EXISTS (SELECT 1 FROM {still_listed} s
                          WHERE replace(s.enterprise_number, '.', '') = e.number)
        """,  # noqa: S608
        {
            "stopped": RegisteredEnterprise.STOPPED,
            "snapshot": meta.snapshot_date,
            "number": meta.number,
        },
    )
    return cursor.rowcount


def _same_row(name: str, left: str, right: str) -> str:
    _table, columns = CHILDREN[name]
    return " AND ".join(
        f'{left}."{c}" IS NOT DISTINCT FROM {right}."{c}"'
        if c in NULLABLE
        else f'{left}."{c}" = {right}."{c}"'
        for c in ("enterprise_number", *columns)
    )


def _insert_missing(cursor, name: str, clean: str) -> None:
    table, columns = CHILDREN[name]
    listed = ", ".join(f'"{c}"' for c in ("enterprise_number", *columns))
    cursor.execute(
        f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {clean} c "  # noqa: S608
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {_same_row(name, 't', 'c')})"
    )


def _apply_full(cursor, archive, meta: kbo.Meta) -> int:
    stage = _stage(cursor, archive, "enterprise.csv", kbo.COLUMNS["enterprise"])
    if stage is None:
        raise kbo.ExtractError("A full extract without enterprise.csv.")
    changed = _upsert_enterprises(cursor, stage, meta)
    changed += _stop(cursor, meta, still_listed=stage)
    for name in kbo.FILES[1:]:
        staged = _stage(cursor, archive, f"{name}.csv", kbo.COLUMNS[name], where=KEEP[name])
        if staged is None:
            raise kbo.ExtractError(f"A full extract without {name}.csv.")
        clean = _clean(cursor, name, staged)
        table, _columns = CHILDREN[name]
        # The rows no longer listed go, the new ones come: rows that did not change stay.
        cursor.execute(
            f"DELETE FROM {table} t WHERE NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {clean} c WHERE {_same_row(name, 'c', 't')})"
        )
        _insert_missing(cursor, name, clean)
    return changed


def _apply_update(cursor, archive, meta: kbo.Meta) -> int:
    """The Cookbook's two steps for each file: delete the rows of the numbers listed in
    <file>_delete.csv, then insert <file>_insert.csv."""
    gone = _stage(cursor, archive, "enterprise_delete.csv", kbo.DELETE_COLUMNS["enterprise"])
    listed = _stage(cursor, archive, "enterprise_insert.csv", kbo.COLUMNS["enterprise"])
    changed = _upsert_enterprises(cursor, listed, meta) if listed else 0
    if gone:
        if listed is None:
            cursor.execute(
                "CREATE TEMPORARY TABLE stage_enterprise_insert (enterprise_number text) "
                "ON COMMIT DROP"
            )
            listed = "stage_enterprise_insert"
        changed += _stop(cursor, meta, still_listed=listed, only=gone)
    for name in kbo.FILES[1:]:
        table, _columns = CHILDREN[name]
        deleted = _stage(cursor, archive, f"{name}_delete.csv", kbo.DELETE_COLUMNS[name])
        if deleted:
            cursor.execute(
                f"DELETE FROM {table} WHERE enterprise_number IN "  # noqa: S608
                f"(SELECT replace(entity_number, '.', '') FROM {deleted})"
            )
        inserted = _stage(
            cursor, archive, f"{name}_insert.csv", kbo.COLUMNS[name], where=KEEP[name]
        )
        if inserted:
            _insert_missing(cursor, name, _clean(cursor, name, inserted))
    return changed


def _replace_codes(cursor, archive) -> None:
    """code.csv comes whole with every extract, full or update."""
    stage = _stage(cursor, archive, "code.csv", kbo.COLUMNS["code"])
    if stage is None:
        return
    table = RegisterCode._meta.db_table
    cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    cursor.execute(
        f"""INSERT INTO {table} (category, code, language, description)
            SELECT DISTINCT ON (category, code, language)
                   category, code, language, coalesce(description, '')
            FROM {stage} WHERE category IS NOT NULL AND code IS NOT NULL
                           AND language IS NOT NULL"""  # noqa: S608
    )


# ---------------------------------------------------------------------------------------------
# The organisations that match it


def organisations_match_register(*, extract: RegisterExtract) -> int:
    """Mark the organisations whose name, registered office and legal form are those of this
    extract: staff read when an organisation last matched the register."""
    matching = []
    organisations = Organisation.objects.only(
        "pk", "enterprise_number", "name", "street", "postcode", "legal_form"
    ).order_by("pk")
    for batch in _batches(organisations.iterator(chunk_size=2000), 2000):
        entries = register.entries_for([o.enterprise_number for o in batch])
        matching += [
            organisation.pk
            for organisation in batch
            if organisation.enterprise_number in entries
            and not register.differences(organisation, entries[organisation.enterprise_number])
        ]
    return Organisation.objects.filter(pk__in=matching).update(
        register_matched_on=extract.snapshot_date
    )


def _batches(iterable, size: int):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
