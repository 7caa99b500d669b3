"""Reads: the public directory of recognised experts, and what members and staff see. They
return data (None when there is nothing): the views decide what a missing row means."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.core.paginator import Page
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import get_language

from adn_portal.accounts.models import User
from adn_portal.lib.numbers import whole_number
from adn_portal.lib.pagination import KnownCountPaginator
from adn_portal.lib.text import fold
from programs.models import Programme

from .directory_index import (
    SEPARATOR,
    DirectoryIndex,
    directory_index,
    matching_text,
    matching_words,
    text_has,
    words_of,
)
from .identifiers import WALLOON_PROVINCES, Province
from .models import (
    ClaimStatus,
    Expert,
    ExpertFacet,
    ExpertProfileChange,
    JoinRequest,
    JoinRequestStatus,
    Language,
    MemberRole,
    Membership,
    Organisation,
    OwnershipClaim,
    ProfileChangeStatus,
    Sector,
    Speciality,
)
from .workflow import RecognitionStatus

FACET_CHOICES = {
    ExpertFacet.Kind.SPECIALITY: Speciality.choices,
    ExpertFacet.Kind.SECTOR: Sector.choices,
    ExpertFacet.Kind.PROVINCE: [(p.value, p.label) for p in WALLOON_PROVINCES]
    + [(Province.OUTSIDE_WALLONIA.value, Province.OUTSIDE_WALLONIA.label)],
    ExpertFacet.Kind.LANGUAGE: Language.choices,
    ExpertFacet.Kind.PROGRAMME: Programme.Code.choices,
}

SORTS = {
    "name": ["organisation__name"],
    "recent": ["-recognised_from", "organisation__name"],
    "files": ["-files_delivered", "organisation__name"],
}


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    query: str = ""  # the directory's query string with this option switched on or off


@dataclass
class DirectoryQuery:
    search: str = ""
    selected: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "name"

    @property
    def selected_count(self) -> int:
        return sum(len(values) for values in self.selected.values())

    def toggled(self, kind: str, value: str) -> str:
        """The query string of the same search with one facet option switched."""
        pairs = [
            (k, v) for k, values in self.selected.items() for v in values if (k, v) != (kind, value)
        ]
        if value not in self.selected.get(kind, []):
            pairs.append((kind, value))
        if self.search:
            pairs.append(("q", self.search))
        pairs.append(("sort", self.sort))
        return urlencode(pairs)


def _search(experts: QuerySet[Expert], text: str) -> QuerySet[Expert]:
    """Every word at the start of a word of the experts' folded text: "vision" finds "vision",
    "visionnage"… (accents aside)."""
    condition = Q()
    for word in words_of(text):
        condition &= text_has(word)
    return experts.filter(condition)


def _filter(experts: QuerySet[Expert], selected: dict[str, list[str]], *, skip: str | None = None):
    """AND across facets, OR within a facet."""
    for kind, values in selected.items():
        if values and kind != skip:
            experts = experts.filter(
                pk__in=ExpertFacet.objects.filter(kind=kind, value__in=values).values("expert_id")
            )
    return experts


def directory_results(query: DirectoryQuery, *, today: date) -> QuerySet[Expert]:
    """The listed experts matching the query, sorted (no facet counts)."""
    listed = _search(Expert.objects.publicly_listed(today=today), query.search)
    return (
        _filter(listed, query.selected)
        .with_organisation()
        .order_by(*SORTS.get(query.sort, SORTS["name"]))
    )


class ExpertsById(Sequence):
    """The experts of a page, by their ids in the page's order, with their organisation:
    fetched at the first use (one query), or only those `fetch` is asked for (the cards the
    cache does not have)."""

    def __init__(self, ids: list[int]):
        self.ids = ids
        self._rows: list[Expert] | None = None

    def fetch(self, ids: list[int]) -> dict[int, Expert]:
        if not ids:
            return {}
        experts = Expert.objects.with_organisation().defer(*UNSHOWN).filter(pk__in=ids)
        return {expert.pk: expert for expert in experts}

    def _all(self) -> list[Expert]:
        if self._rows is None:
            rows = self.fetch(self.ids)
            self._rows = [rows[pk] for pk in self.ids if pk in rows]
        return self._rows

    def __getitem__(self, n):
        return self._all()[n]

    def __len__(self) -> int:
        return len(self._all())


def directory_page(
    query: DirectoryQuery, *, number, per_page: int, today: date
) -> tuple[Page, dict[str, list[FacetOption]]]:
    """A page of the directory (`ExpertsById`) and its facets, from the directory's index
    (directory_index.py): at most one query for the search words (SQLite only) and one for
    the page's experts (none when their cards are all in the cache), whatever the number of
    experts."""
    index = directory_index(today=today)
    found = matching_text(index, words_of(query.search), today=today)
    results = found & index.having(query.selected)
    paginator = KnownCountPaginator([], per_page, count=results.bit_count())
    page = paginator.get_page(number)
    page.object_list = ExpertsById(
        index.page(results, query.sort, page.start_index() - 1, per_page)
    )
    counts = index.counts(found, query.selected, FACET_CHOICES)
    return page, _facet_options(query, counts)


def _facet_options(query: DirectoryQuery, counts: dict) -> dict[str, list[FacetOption]]:
    facets = {}
    for kind, choices in FACET_CHOICES.items():
        chosen = set(query.selected.get(kind, []))
        facets[kind] = [
            FacetOption(
                value=value,
                label=str(label),
                count=counts.get((kind, value), 0),
                selected=value in chosen,
                query=query.toggled(kind, value),
            )
            for value, label in choices
            if counts.get((kind, value)) or value in chosen
        ]
    return facets


# The texts the directory searches, which its cards do not show.
UNSHOWN = ("search_text", "search_vector")

# What the expert picker shows of an expert besides its name, and so what its search reads.
PICKER_LABELS = (ExpertFacet.Kind.SPECIALITY, ExpertFacet.Kind.PROVINCE, ExpertFacet.Kind.LANGUAGE)
_picker_labels: dict[str, dict[tuple[str, str], str]] = {}


def picker_labels() -> dict[tuple[str, str], str]:
    """Each option of PICKER_LABELS with its label folded, in the active language (translated
    and folded once per language and process)."""
    language = get_language()
    labels = _picker_labels.get(language)
    if labels is None:
        labels = _picker_labels[language] = {
            (str(kind), value): fold(str(label))
            for kind in PICKER_LABELS
            for value, label in FACET_CHOICES[kind]
        }
    return labels


def experts_offered(
    *, programme: str, search: str, number, per_page: int, chosen: str | None, today: date
) -> tuple[Page, Expert | None]:
    """The experts a file of `programme` may choose, as its expert picker offers them: the
    listed experts of the programme of whom every word of `search` starts a word of their text
    (as in the directory) or is found in the label of their speciality, province or language;
    a page of them by name, and the `chosen` one (an id) when it is among them but not on this
    page. From the directory's index, what the picker shows included: no query on PostgreSQL,
    one for the search's words on SQLite, whatever the number of experts. The experts carry
    only what the picker shows (their organisation's name, municipality and province, their
    specialities and languages)."""
    index = directory_index(today=today)
    offered = index.facets.get((str(ExpertFacet.Kind.PROGRAMME), programme), 0)
    results = offered & matching_words(index, words_of(search), picker_labels(), today=today)
    page = KnownCountPaginator([], per_page, count=results.bit_count()).get_page(number)
    ids = index.page(results, "name", page.start_index() - 1, per_page)
    page.object_list = [_offered(index, pk) for pk in ids]
    chosen_id = whole_number(chosen or "")
    position = index.positions.get(chosen_id)
    keep = chosen_id not in ids and position is not None and (offered >> position) & 1
    return page, _offered(index, chosen_id) if keep else None


def _offered(index: DirectoryIndex, pk: int) -> Expert:
    """An expert as the picker shows it, from the index (the index's version is the
    directory's content's: nothing in it is older than the last change)."""
    shown = index.shown[index.positions[pk]].split(SEPARATOR)
    organisation_id, name, municipality, province, specialities, languages = shown
    # As `.only()` would read them (the other fields deferred), without a model's defaults.
    expert = Expert.from_db(
        None,
        ["id", "organisation_id", "specialities", "languages"],
        [pk, int(organisation_id), specialities.split(), languages.split()],
    )
    expert.organisation = Organisation.from_db(
        None,
        ["id", "name", "municipality", "province"],
        [int(organisation_id), name, municipality, province],
    )
    return expert


def expert_public(*, slug: str, today: date) -> Expert | None:
    return Expert.objects.publicly_listed(today=today).with_organisation().filter(slug=slug).first()


# ---------------------------------------------------------------------------------------------
# Members


def organisations_of(user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(memberships__user=user)


def organisation_for_member(*, user, pk: int) -> Organisation | None:
    """None for an organisation the user is not a member of, whatever the URL."""
    return organisations_of(user).filter(pk=pk).first()


def active_organisation_of(*, user, chosen: int | None) -> Organisation | None:
    """The organisation the user acts for: the one `chosen` (in their session) if they are
    still a member of it, else their first by name."""
    organisations = organisations_of(user).order_by("name")
    return (chosen and organisations.filter(pk=chosen).first()) or organisations.first()


def is_owner(user, organisation: Organisation) -> bool:
    return Membership.objects.filter(
        user=user, organisation=organisation, role=MemberRole.OWNER
    ).exists()


def is_member(user, organisation: Organisation) -> bool:
    return Membership.objects.filter(user=user, organisation=organisation).exists()


def owners_of(organisation: Organisation) -> QuerySet[User]:
    return User.objects.filter(
        memberships__organisation=organisation, memberships__role=MemberRole.OWNER
    )


def memberships_of(user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("role", "user__last_name")


def pending_join_requests(organisation: Organisation) -> QuerySet[JoinRequest]:
    return organisation.join_requests.filter(status=JoinRequestStatus.PENDING).select_related(
        "user"
    )


def expert_of_member(*, user) -> Expert | None:
    """The expert company the user belongs to, if any (the first one, by name)."""
    return (
        Expert.objects.filter(organisation__memberships__user=user)
        .select_related("organisation")
        .order_by("organisation__name")
        .first()
    )


# ---------------------------------------------------------------------------------------------
# Staff


def experts_for_staff(*, status: str | None) -> QuerySet[Expert]:
    experts = Expert.objects.with_organisation().annotate(
        pending_changes=Count(
            "profile_changes", filter=Q(profile_changes__status=ProfileChangeStatus.PENDING)
        )
    )
    if status:
        experts = experts.filter(status=status)
    return experts.order_by("status", "organisation__name")


def recognition_counts() -> dict[str, int]:
    rows = Expert.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    counts = dict(rows)
    return {status: counts.get(status, 0) for status in RecognitionStatus.values}


def expert_for_staff(*, pk: int) -> Expert | None:
    return Expert.objects.with_organisation().prefetch_related("references").filter(pk=pk).first()


def pending_profile_change(expert: Expert) -> ExpertProfileChange | None:
    return expert.profile_changes.filter(status=ProfileChangeStatus.PENDING).first()


def _with_parties(claims: QuerySet[OwnershipClaim]) -> QuerySet[OwnershipClaim]:
    """Both parties: the claimant, and the organisation with its current owners (`owners`)."""
    owners = Membership.objects.filter(role=MemberRole.OWNER).select_related("user")
    return claims.select_related("organisation", "claimant", "decided_by").prefetch_related(
        Prefetch("organisation__memberships", queryset=owners, to_attr="owners")
    )


def ownership_claims_for_staff(*, status: str) -> QuerySet[OwnershipClaim]:
    claims = _with_parties(OwnershipClaim.objects.filter(status=status))
    # Oldest first while waiting; the latest decisions first afterwards.
    return claims.order_by("created_at" if status == ClaimStatus.PENDING else "-decided_at")


def ownership_claim_for_staff(*, pk: int) -> OwnershipClaim | None:
    return _with_parties(OwnershipClaim.objects.filter(pk=pk)).first()


def other_claims_on(claim: OwnershipClaim) -> QuerySet[OwnershipClaim]:
    return (
        OwnershipClaim.objects.filter(organisation_id=claim.organisation_id)
        .exclude(pk=claim.pk)
        .select_related("claimant")
        .order_by("-created_at")
    )


def pending_ownership_claims_count() -> int:
    return OwnershipClaim.objects.pending().count()


def staff_addresses(*roles: str) -> list[tuple[str, str]]:
    """(e-mail, language) of the active staff members holding one of `roles`."""
    return list(
        User.objects.filter(is_active=True, groups__name__in=roles)
        .distinct()
        .values_list("email", "language")
    )
