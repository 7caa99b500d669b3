"""Requests never asked before in a run, as people would ask them: directory searches and
staff queue filters (bench.misses, bench.queue)."""

import random
import re

from applications.workflow import Status
from companies.identifiers import Province
from companies.models import Expert, OrganisationKind
from companies.selectors import FACET_CHOICES
from programs.models import Programme


def directory_searches(seed: int):
    """Query strings as visitors type them: a word of the experts' own descriptions and names
    or none, up to two facet values and a sort order, drawn at random, never repeated."""
    words = set()
    for description, name in Expert.objects.filter(status="active").values_list(
        "description_fr", "organisation__name"
    )[:500]:
        words |= {w.lower() for w in re.findall(r"[^\W\d_]{4,}", f"{description} {name}")}
    words = sorted(words)
    facets = [(str(kind), value) for kind, choices in FACET_CHOICES.items() for value, _ in choices]
    rng = random.Random(seed)  # noqa: S311 — repeatable draws, no secret
    seen = set()
    while True:
        query = [("q", rng.choice(words))] if rng.random() < 0.75 else []
        query += sorted(rng.sample(facets, rng.randint(0 if query else 1, 2)))
        query.append(("sort", rng.choice(["name", "recent", "files"])))
        text = "&".join(f"{key}={value}" for key, value in query)
        if text not in seen:
            seen.add(text)
            yield f"/experts/?{text}"


def queue_filters(seed: int):
    """New filter combinations of the staff queue: a province, one or two statuses, a
    programme, a kind of organisation, a search (an organisation's name or a title's
    number), a sort; each combination once."""
    rng = random.Random(seed)  # noqa: S311
    statuses = [s.value for s in Status if s != Status.DRAFT]
    programmes = list(Programme.objects.values_list("pk", flat=True))
    provinces = [p.value for p in Province]
    seen = set()
    while True:
        query = []
        if rng.random() < 0.7:
            query.append(("province", rng.choice(provinces)))
        query += [("status", s) for s in rng.sample(statuses, rng.randint(0, 2))]
        if rng.random() < 0.5:
            query.append(("programme", rng.choice(programmes)))
        if rng.random() < 0.3:
            query.append(("kind", rng.choice(OrganisationKind.values)))
        if rng.random() < 0.5:
            query.append(("q", rng.choice(["Organisation ", "Projet "]) + str(rng.randint(1, 999))))
        if rng.random() < 0.3:
            query.append(("ordering", rng.choice(["organisation", "-submitted", "reference"])))
        if not query:
            continue
        text = "&".join(f"{key}={value}" for key, value in query)
        if text not in seen:
            seen.add(text)
            yield f"/espace-adn/dossiers/?{text}"
