"""Reads: the public directory of recognised experts, and what members and staff see. They
return data (None when there is nothing): the views decide what a missing row means."""

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet

from adn_portal.accounts.models import User
from adn_portal.lib.text import fold
from programs.models import Programme

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
    words = re.findall(r"\w+", fold(text))
    if not words:
        return experts
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        # Prefix search on the accent-folded text: "vision" finds "vision", "visionnage"…
        # against the vector stored beside it (Expert.search_vector, GIN-indexed).
        query = SearchQuery(" & ".join(f"{w}:*" for w in words), search_type="raw", config="simple")
        return experts.filter(search_vector=query)
    condition = Q()
    for word in words:
        condition &= Q(search_text__contains=word)
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


def directory(
    query: DirectoryQuery, *, today: date
) -> tuple[QuerySet[Expert], dict[str, list[FacetOption]]]:
    """The listed experts matching the query, and for each facet its options with the number
    of results each would give (counted without that facet's own filter)."""
    listed = _search(Expert.objects.publicly_listed(today=today), query.search)
    results = directory_results(query, today=today)

    # Every facet's counts in one query. Each facet counts the experts the other facets'
    # filters leave (its own filter aside, so its options stay choosable); without any facet
    # chosen that is the same set for all.
    active = {kind for kind, values in query.selected.items() if values}
    if not active:
        counted = ExpertFacet.objects.filter(expert__in=listed.values("pk")).values("kind", "value")
        rows = counted.annotate(n=Count("expert_id")).values_list("kind", "value", "n")
    else:
        counts_per_kind = {
            f"n_{kind}": Count(
                "expert_id",
                filter=Q(
                    kind=kind,
                    expert__in=_filter(listed, query.selected, skip=kind).values("pk"),
                ),
            )
            for kind in FACET_CHOICES
        }
        rows = [
            (row["kind"], row["value"], row[f"n_{row['kind']}"])
            for row in ExpertFacet.objects.values("kind", "value").annotate(**counts_per_kind)
        ]
    counts = {(kind, value): n for kind, value, n in rows}

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
    return results, facets


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
