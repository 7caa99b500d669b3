"""The directory's index: every listed expert's place in each sort order and, for each facet
option, the set of experts that have it, as bit sets (Python integers, one bit an expert).

A directory miss (a new search and combination of facets) then counts every facet option and
finds its page by a few operations on bit sets instead of counting facet rows in SQL: with
10,000 experts, 100,000 facet rows were counted per miss (bench/results/README.md). On
PostgreSQL the index also holds the words of the experts' stored search vectors (a prefix
search is a range of the sorted words: what the tsquery `word:*` matches), so a miss asks the
database only for its page's experts; SQLite's search (`search_text` contains the word) stays a
query. It also holds what the applicant's expert picker shows of each expert (its name, place,
specialities and languages), so that a page of the picker asks the database nothing.

The index is built from the database once per version of the directory's content (every change
to an expert, its organisation or its recognition bumps it: services.directory_changed) and
day (a recognition starts and ends with a day), kept in the shared cache for the other workers
and in this worker's memory. A key that names the content's version never serves anything
stale; when the cache is unreachable, the index is built for the request alone."""

import re
import threading
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from itertools import compress, islice
from operator import itemgetter

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q

from adn_portal.lib.page_cache import cache_get, cache_set, current_version
from adn_portal.lib.text import fold

from .models import Expert, ExpertFacet, Language, Speciality

KEPT_SECONDS = 3600  # in the shared cache; a new version makes a new key anyway
SORTED_BY = ("recent", "files")  # "name" is the index's own order
# In the cache's key: an index kept by an older code's shape is never read as the new one.
SHAPE = 3
# A word of fewer experts than 1 in DENSE is kept as their positions, not as a bit set.
DENSE = 64
# A bit set's binary digits as bytes 0 and 1 (what `compress` takes), by position.
_FLAGS = bytes.maketrans(b"01", b"\x00\x01")
SEPARATOR = "\x1f"  # between what `DirectoryIndex.shown` holds of an expert


@dataclass
class DirectoryIndex:
    ids: array  # the listed experts' ids, in the order of their organisation's name
    orders: dict[str, array]  # for each other sort, the experts' positions in its order
    facets: dict[tuple[str, str], int]  # (kind, value): the experts that have it
    # What the expert picker shows of each expert, by position (selectors.experts_offered):
    # its organisation (id, name, municipality, province), its specialities and languages
    # (their known codes, space-separated), in one string each, SEPARATOR between them (a
    # string per expert: a tuple read back from the cache cost 1.5 µs more a piece).
    shown: list[str]
    # PostgreSQL: the words of the experts' search vectors, sorted, and for each the experts
    # having it (a bit set, or their positions when few); None: the search asks the database.
    words: list[str] | None = None
    having_word: list | None = None

    def __post_init__(self):
        self.positions = {pk: position for position, pk in enumerate(self.ids)}
        # For each other sort, the ids in its order and what reads a bit set's flags in it.
        self.in_order = {
            sort: ([self.ids[position] for position in order], _reader(order))
            for sort, order in self.orders.items()
        }

    def __getstate__(self):  # kept in the cache without what is made again on reading
        return {
            "ids": self.ids,
            "orders": self.orders,
            "facets": self.facets,
            "shown": self.shown,
            "words": self.words,
            "having_word": self.having_word,
        }

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.__post_init__()

    @property
    def everyone(self) -> int:
        return (1 << len(self.ids)) - 1

    def of(self, ids) -> int:
        """The bit set of these experts (ids not listed are left out)."""
        buffer = bytearray((len(self.ids) + 7) // 8)
        positions = self.positions
        for pk in ids:
            position = positions.get(pk)
            if position is not None:
                buffer[position >> 3] |= 1 << (position & 7)
        return int.from_bytes(buffer, "little")

    def of_positions(self, positions) -> int:
        buffer = bytearray((len(self.ids) + 7) // 8)
        for position in positions:
            buffer[position >> 3] |= 1 << (position & 7)
        return int.from_bytes(buffer, "little")

    def starting(self, word: str) -> int:
        """The experts with a word of their search vector starting with `word` (what the
        tsquery `word:*` finds)."""
        found, few = 0, []
        first = bisect_left(self.words, word)
        for n in range(first, len(self.words)):
            if not self.words[n].startswith(word):
                break
            experts = self.having_word[n]
            if isinstance(experts, int):
                found |= experts
            else:
                few.append(experts)
        if few:
            found |= self.of_positions(p for positions in few for p in positions)
        return found

    def having(self, selected: dict[str, list[str]], *, skip: str | None = None) -> int:
        """The experts with at least one chosen option of each facet (AND across facets, OR
        within one), `skip`'s own choice aside."""
        experts = self.everyone
        for kind, values in selected.items():
            if values and kind != skip:
                chosen = 0
                for value in values:
                    chosen |= self.facets.get((str(kind), value), 0)
                experts &= chosen
        return experts

    def counts(self, found: int, selected: dict[str, list[str]], kinds) -> dict:
        """For each option of `kinds`, how many of the experts `found` (by the search) would
        remain with it chosen: counted without its own facet's choice, so that its options
        stay choosable."""
        counts = {}
        for kind in kinds:
            base = found & self.having(selected, skip=kind)
            for (facet_kind, value), experts in self.facets.items():
                if facet_kind == str(kind):
                    counts[(facet_kind, value)] = (base & experts).bit_count()
        return counts

    def page(self, experts: int, sort: str, start: int, size: int) -> list[int]:
        """The ids of `size` experts of the set from `start`, in the sort's order."""
        bits = bin(experts)[:1:-1]  # lowest position (first name) first
        if sort in self.in_order:
            # The set's flags read in the sort's order, and the ids they keep: all in C (a
            # sort of the set's positions by rank cost 1.7 ms for 10,000 experts, this 0.2).
            ids, in_order = self.in_order[sort]
            flags = bits.encode().translate(_FLAGS).ljust(len(self.ids), b"\x00")
            start = max(start, 0)  # -1: the empty set's page
            return list(islice(compress(ids, in_order(flags)), start, start + size))
        # The index's own order: the first set bits are enough.
        positions, found = [], bits.find("1")
        while found >= 0 and len(positions) < start + size:
            positions.append(found)
            found = bits.find("1", found + 1)
        return [self.ids[position] for position in positions[start : start + size]]


def _reader(order: array):
    """What gives the items of a sequence at `order`'s positions, in that order."""
    if len(order) > 1:
        return itemgetter(*order)
    return lambda items: [items[position] for position in order]  # itemgetter(p): not a list


def _shown(rows: list[tuple]) -> list[str]:
    """What the picker shows of each expert (`DirectoryIndex.shown`): its names (a control
    character as SEPARATOR, never shown by a browser, made a space), the specialities and
    languages it has a label for (as `known_codes`: a stored list may hold anything)."""
    known = {"specialities": frozenset(Speciality.values), "languages": frozenset(Language.values)}

    def codes(values, kind: str) -> str:
        if not isinstance(values, list):
            return ""
        return " ".join(v for v in values if isinstance(v, str) and v in known[kind])

    return [
        SEPARATOR.join(
            [
                str(organisation),
                name.replace(SEPARATOR, " "),
                municipality.replace(SEPARATOR, " "),
                province,
                codes(specialities, "specialities"),
                codes(languages, "languages"),
            ]
        )
        for *_sorted_by, organisation, name, municipality, province, specialities, languages in rows
    ]


def _build(today: date) -> DirectoryIndex:
    listed = Expert.objects.publicly_listed(today=today)
    rows = list(
        listed.order_by("organisation__name", "pk").values_list(
            "pk",
            "recognised_from",
            "files_delivered",
            *(f"organisation__{name}" for name in ("id", "name", "municipality", "province")),
            "specialities",
            "languages",
        )
    )
    ids = array("q", (row[0] for row in rows))
    keys = {
        # The selectors' SORTS, ties by name (the position).
        "recent": lambda p: (-rows[p][1].toordinal(), p),
        "files": lambda p: (-rows[p][2], p),
    }
    orders = {sort: array("l", sorted(range(len(rows)), key=keys[sort])) for sort in SORTED_BY}
    index = DirectoryIndex(ids=ids, orders=orders, facets={}, shown=_shown(rows))
    members: dict[tuple[str, str], bytearray] = {}
    size = (len(rows) + 7) // 8
    facet_rows = ExpertFacet.objects.filter(expert__in=listed.values("pk")).values_list(
        "expert_id", "kind", "value"
    )
    positions = index.positions
    for expert_id, kind, value in facet_rows.iterator(chunk_size=10_000):
        position = positions.get(expert_id)
        if position is None:  # listed since the first query: the next version will have it
            continue
        buffer = members.get((kind, value))
        if buffer is None:
            buffer = members[(kind, value)] = bytearray(size)
        buffer[position >> 3] |= 1 << (position & 7)
    index.facets = {key: int.from_bytes(buffer, "little") for key, buffer in members.items()}
    if connection.vendor == "postgresql":
        _read_words(index, listed)
    return index


def _read_words(index: DirectoryIndex, listed) -> None:
    """The words of the listed experts' stored search vectors (exactly what a tsquery
    matches), each with the experts having it."""
    subquery, params = listed.order_by().values("pk").query.sql_with_params()
    table = Expert._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT w.lexeme, array_agg(e.id) FROM {table} e,"  # noqa: S608 — our own SQL
            " unnest(e.search_vector) AS w(lexeme, positions, weights)"
            f" WHERE e.id IN ({subquery}) GROUP BY w.lexeme",
            params,
        )
        rows = cursor.fetchall()
    rows.sort()
    positions, dense = index.positions, len(index.ids) // DENSE
    having = []
    for _word, ids in rows:
        found = array("l", (p for p in map(positions.get, ids) if p is not None))
        having.append(index.of_positions(found) if len(found) > dense else found)
    index.words = [word for word, _ids in rows]
    index.having_word = having


_held: dict = {}  # this worker's copy: {"key": ..., "index": ...}
_lock = threading.Lock()


def directory_index(*, today: date) -> DirectoryIndex:
    from .services import DIRECTORY_VERSION_KEY

    version = current_version(DIRECTORY_VERSION_KEY)
    if version is None:  # the cache is unreachable: nothing is kept
        return _build(today)
    key = f"directory-index:{SHAPE}:{version}:{today.isoformat()}"
    held = _held
    if held.get("key") == key:
        return held["index"]
    with _lock:  # one build per worker, not one per thread
        if _held.get("key") == key:
            return _held["index"]
        index = cache_get(key)
        if not isinstance(index, DirectoryIndex):
            index = _build(today)
            cache_set(key, index, KEPT_SECONDS)
        _held.clear()
        _held.update(key=key, index=index)
    return index


# ---------------------------------------------------------------------------------------------
# The search words


def words_of(text: str) -> list[str]:
    # Letters and digits: what PostgreSQL's parser makes words of ("_" and "-" separate them).
    return re.findall(r"[^\W_]+", fold(text))


def text_has(word: str) -> Q:
    """An expert whose text (name, municipality, descriptions) has a word starting so."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        # Against the vector stored beside the folded text (Expert.search_vector, GIN-indexed).
        return Q(search_vector=SearchQuery(f"{word}:*", search_type="raw", config="simple"))
    return Q(search_text__contains=word)


def matching_text(index: DirectoryIndex, words: list[str], *, today: date) -> int:
    """The listed experts whose text has every word: from the index's words on PostgreSQL,
    else one query (none without words)."""
    if not words:
        return index.everyone
    if index.words is not None:
        found = index.everyone
        for word in words:
            found &= index.starting(word)
        return found
    condition = Q()
    for word in words:
        condition &= text_has(word)
    found = Expert.objects.publicly_listed(today=today).filter(condition).order_by()
    return index.of(found.values_list("pk", flat=True))


def matching_words(
    index: DirectoryIndex, words: list[str], labels: dict[tuple[str, str], str], *, today: date
) -> int:
    """The listed experts of whom every word is found in their text or in the label of one of
    their facet options (`labels`: each option's folded label). No query on PostgreSQL (the
    index's words), else one (none without words)."""
    if not words:
        return index.everyone
    if index.words is not None:
        text = [index.starting(word) for word in words]
    else:
        text = _matching_each(index, words, today=today)
    experts = index.everyone
    for word, found in zip(words, text, strict=True):
        for key, label in labels.items():
            if word in label:
                found |= index.facets.get(key, 0)
        experts &= found
    return experts


def _matching_each(index: DirectoryIndex, words: list[str], *, today: date) -> list[int]:
    """For each word, the experts whose text has it (one query)."""
    flags = {
        f"word_{n}": ExpressionWrapper(text_has(w), BooleanField()) for n, w in enumerate(words)
    }
    condition = Q()
    for word in words:
        condition |= text_has(word)
    rows = (
        Expert.objects.publicly_listed(today=today)
        .filter(condition)
        .annotate(**flags)
        .order_by()
        .values_list("pk", *flags)
    )
    by_word = [[] for _word_ in words]
    for pk, *found in rows:
        for n, present in enumerate(found):
            if present:
                by_word[n].append(pk)
    return [index.of(ids) for ids in by_word]
