""" "Which programme for me?": a few answers before sign-up (kind and size of organisation, its
seat, where it stands with AI, the AdN programmes it went through) give a programme and a call,
with the reasons (docs/domain.md, Programmes and calls).

The answers make an organisation that is never saved; its size class comes from companies/sme.py
and each open call is checked by applications/eligibility.profile_checks, the very checks of a
submission: the finder cannot promise what the application would then refuse."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.identifiers import place_for_postcode
from companies.models import Organisation
from companies.sme import Figures, computed_size_class
from programs.models import Call, Programme
from programs.selectors import calls_open, calls_upcoming

from . import eligibility
from .eligibility import Check
from .models import Application


class Stage:
    """Where the organisation stands with AI, and the programme that meets it there."""

    EXPLORING = "exploring"
    USE_CASE = "use_case"
    PILOT = "pilot"
    CHOICES = [
        (EXPLORING, gettext_lazy("We are wondering what AI could do for us")),
        (USE_CASE, gettext_lazy("We know which use case we want to try")),
        (PILOT, gettext_lazy("A pilot or prototype works: we want to put it into production")),
    ]
    PROGRAMME = {
        EXPLORING: Programme.Code.START_IA,
        USE_CASE: Programme.Code.TREMPLIN_IA,
        PILOT: Programme.Code.CAP_IA,
    }
    REASON = {
        EXPLORING: gettext_lazy(
            "You are looking for what AI could do for you: Start IA's five days with a "
            "recognised expert find your opportunities and end with an action plan."
        ),
        USE_CASE: gettext_lazy(
            "You know your use case: Tremplin IA funds a proof of concept or a pilot with a "
            "recognised provider."
        ),
        PILOT: gettext_lazy(
            "Your pilot works: Cap IA funds taking it into production or to market."
        ),
    }


@dataclass
class Answers:
    kind: str
    postcode: str
    headcount: Decimal | None
    turnover: Decimal | None
    balance_sheet: Decimal | None
    public_control: bool
    stage: str
    programmes_done: set[str] = field(default_factory=set)


@dataclass
class CallFit:
    call: Call
    checks: list[Check]

    @property
    def passes(self) -> bool:
        return all(check.passed for check in self.checks)


@dataclass
class Recommendation:
    programme: Programme
    reasons: list[str]
    call: CallFit | None  # the open call to apply to, if the organisation may
    fits: list[CallFit]  # every open call, with its checks
    upcoming: list[Call]  # the programme's next calls


def organisation_of(answers: Answers) -> Organisation:
    """The organisation the answers describe (never saved), its size class as the portal
    computes it for a registered one (companies/sme.py; no partner or linked enterprise)."""
    place = place_for_postcode(answers.postcode)
    organisation = Organisation(
        kind=answers.kind,
        postcode=place.postcode,
        municipality=place.municipality,
        province=place.province,
        headcount=answers.headcount,
        turnover=answers.turnover,
        balance_sheet=answers.balance_sheet,
        # "25 % or more held by public bodies": the share that counts, no exception declared.
        public_body_share=Decimal(25) if answers.public_control else Decimal(0),
    )
    size = computed_size_class(
        own=Figures(answers.headcount, answers.turnover, answers.balance_sheet),
        related=[],
        public_body_share=organisation.public_body_share,
        exception="",
    )
    organisation.size_class = size or ""
    return organisation


def _programme_for(answers: Answers, programmes: list[Programme]) -> tuple[Programme, list[str]]:
    """The stage's programme, or the one after the last programme gone through if that is
    further along the path (Start IA → Tremplin IA → Cap IA)."""
    by_code = {p.code: p for p in programmes}
    chosen = by_code[Stage.PROGRAMME[answers.stage]]
    reasons = [str(Stage.REASON[answers.stage])]
    for programme in programmes:
        previous = programme.previous
        if (
            previous is not None
            and previous.code in answers.programmes_done
            and programme.position > chosen.position
        ):
            chosen = programme
            reasons = [
                _("You went through %(previous)s: %(next)s is the next step on the path.")
                % {"previous": previous.name, "next": programme.name}
            ]
    return chosen, reasons


def recommend(answers: Answers, *, now: datetime) -> Recommendation:
    organisation = organisation_of(answers)
    programmes = list(Programme.objects.select_related("previous").order_by("position"))
    programme, reasons = _programme_for(answers, programmes)
    fits = []
    for call in calls_open(now=now):
        application = Application(call=call, programme=call.programme, organisation=organisation)
        checks = eligibility.profile_checks(application, programmes_done=answers.programmes_done)
        fits.append(CallFit(call, checks))
    own = [fit for fit in fits if fit.call.programme_id == programme.pk]
    call = next((fit for fit in own if fit.passes), None)
    if own and call is None:
        reasons.append(
            _("%(programme)s has an open call, but not for your organisation: see why below.")
            % {"programme": programme.name}
        )
    elif not own:
        reasons.append(
            _("No %(programme)s call is open at the moment.") % {"programme": programme.name}
        )
    upcoming = [c for c in calls_upcoming(now=now) if c.programme_id == programme.pk]
    return Recommendation(programme, reasons, call, fits, upcoming)
