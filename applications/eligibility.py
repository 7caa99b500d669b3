"""The checks a call applies to a file (docs/domain.md, Organisations and eligibility), each
explained in plain words with what to do about it. Run before submission (shown on the last step) and at submission (stored)."""

from dataclasses import asdict, dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from adn_portal.lib.compiled import compiled_rows
from adn_portal.lib.decimals import format_percent
from companies.models import OrganisationKind, SizeClass
from programs.application_forms import Role
from programs.models import EligibilityRule

from .models import Application, Attachment
from .steps import Step, required_document_kinds, step_with_role, steps_for
from .workflow import OPEN_STATUSES, Status

DEADLINE = "deadline"
COMPLETE = "complete"


@dataclass(frozen=True)
class Check:
    rule: str
    passed: bool
    message: str
    fix: str = ""
    fix_url: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _deadline(application: Application, now: datetime) -> Check:
    call = application.call
    if call.is_open_at(now):
        return Check(DEADLINE, True, _("The call is open."))
    if now < call.opens_at:
        when = formats.date_format(call.opens_at, "DATETIME_FORMAT")
        return Check(
            DEADLINE,
            False,
            _("The call opens on %(date)s.") % {"date": when},
            _("Your draft is kept: submit it once the call is open."),
        )
    when = formats.date_format(call.closes_at, "DATETIME_FORMAT")
    return Check(
        DEADLINE,
        False,
        _("The call closed on %(date)s: applications are no longer accepted.") % {"date": when},
        _("Your draft is kept. Watch for the next call of this programme."),
    )


# How a person names a document the file's form requires (its documents question's
# `required_kinds`, e.g. Tremplin IA's provider's quote).
DOCUMENT_NAMES = {
    Attachment.Kind.QUOTE: gettext_lazy("the provider's quote (documents)"),
}


def documents_required(application: Application) -> bool:
    return bool(required_document_kinds(application))


def _attachment_kinds(pk: int) -> QuerySet[Attachment]:
    return Attachment.objects.filter(application_id=pk).only("kind").order_by()


def missing_documents(application: Application) -> list[str]:
    """The required documents the file does not hold yet, named for the applicant."""
    required = required_document_kinds(application)
    if not required:
        return []
    # Compiled once per process: every step page asks (its progress), 0.5 ms less each.
    held = {a.kind for a in compiled_rows("attachment kinds", _attachment_kinds, application.pk)}
    return [str(DOCUMENT_NAMES.get(kind, kind)) for kind in required if kind not in held]


def _step_url(application: Application, step: Step) -> str:
    return reverse("applications:step", args=[application.pk, step.slug])


def _complete(application: Application) -> Check:
    incomplete = [
        step
        for step in steps_for(application)
        if not step.is_documents and step.slug not in application.completed_steps
    ]
    missing = [str(step.title) for step in incomplete] + missing_documents(application)
    if missing:
        documents = next((s for s in steps_for(application) if s.is_documents), None)
        first = incomplete[0] if incomplete else documents
        return Check(
            COMPLETE,
            False,
            _("Still to complete: %(steps)s.") % {"steps": ", ".join(missing)},
            _("Open each step, fill it in and save."),
            _step_url(application, first) if first else "",
        )
    return Check(COMPLETE, True, _("Every step is complete."))


def _organisation_page(organisation, name: str) -> str:
    """Where the applicant corrects the organisation; none for the programme finder's answers
    (an organisation not registered yet)."""
    return reverse(name, args=[organisation.pk]) if organisation.pk else ""


def _walloon_seat(application: Application) -> Check:
    organisation = application.organisation
    if organisation.in_wallonia:
        return Check(
            EligibilityRule.WALLOON_SEAT,
            True,
            _("Your registered seat is in Wallonia (%(municipality)s).")
            % {"municipality": organisation.municipality},
        )
    return Check(
        EligibilityRule.WALLOON_SEAT,
        False,
        _(
            "Your registered seat (%(postcode)s %(municipality)s) is not in Wallonia: this call is for Walloon organisations."
        )
        % {"postcode": organisation.postcode, "municipality": organisation.municipality},
        _("If your seat has moved to Wallonia, update your organisation's address."),
        _organisation_page(organisation, "companies:organisation_edit"),
    )


def _audience(application: Application) -> Check:
    organisation, call = application.organisation, application.call
    kind = OrganisationKind(organisation.kind)
    if kind.audience in call.audiences:
        return Check(
            EligibilityRule.AUDIENCE_KIND,
            True,
            _("This call is open to your kind of organisation."),
        )
    return Check(
        EligibilityRule.AUDIENCE_KIND,
        False,
        _("This call is for: %(audience)s. Your organisation is registered as: %(kind)s.")
        % {
            "audience": ", ".join(str(label) for label in call.get_audience_labels()),
            "kind": kind.label,
        },
        _("If the kind of your organisation is wrong, correct it in its profile."),
        _organisation_page(organisation, "companies:organisation_edit"),
    )


def _sme_size(application: Application) -> Check:
    organisation = application.organisation
    if organisation.is_sme:
        return Check(
            EligibilityRule.SME_SIZE,
            True,
            _("Your organisation is an SME (%(size)s).")
            % {"size": organisation.get_size_class_display()},
        )
    fix_url = _organisation_page(organisation, "companies:organisation_edit")
    if not organisation.size_class:
        return Check(
            EligibilityRule.SME_SIZE,
            False,
            _(
                "We cannot tell whether your organisation is an SME: its staff and turnover or balance sheet are missing."
            ),
            _("Enter them in your organisation's profile."),
            fix_url,
        )
    if organisation.size_class == SizeClass.PUBLIC_CONTROL:
        return Check(
            EligibilityRule.SME_SIZE,
            False,
            _(
                "This call is for SMEs. Public bodies hold %(share)s of your organisation: "
                "under the European definition, an enterprise held at least 25%% by public "
                "bodies is not an SME, unless they are one of the investors it names."
            )
            % {"share": format_percent(organisation.public_body_share)},
            _("If this share is wrong, or if one of these investors holds it, correct it."),
            _organisation_page(organisation, "companies:organisation_structure"),
        )
    return Check(
        EligibilityRule.SME_SIZE,
        False,
        _(
            "This call is for SMEs. Your organisation is registered as an SME, but with its "
            "staff and figures, partner and linked enterprises included, it is a large "
            "enterprise under the European definition."
        )
        if organisation.kind == OrganisationKind.SME
        else _(
            "This call is for SMEs. With its staff and figures, partner and linked enterprises "
            "included, your organisation is a large enterprise under the European definition."
        ),
        _(
            "If the figures are out of date, correct them in your organisation's profile, "
            "with its partner and linked enterprises."
        ),
        fix_url,
    )


def _no_other_open_file(application: Application) -> Check:
    other = (
        Application.objects.filter(
            organisation=application.organisation,
            programme=application.programme,
            status__in=OPEN_STATUSES,
        )
        .exclude(pk=application.pk)
        .first()
    )
    if other is None:
        return Check(
            EligibilityRule.NO_OTHER_OPEN_FILE,
            True,
            _("You have no other open file in this programme."),
        )
    return Check(
        EligibilityRule.NO_OTHER_OPEN_FILE,
        False,
        _("Your organisation already has an open file in %(programme)s (%(reference)s).")
        % {"programme": application.programme.name, "reference": other.reference or _("a draft")},
        _("Finish or withdraw that file first."),
        other.get_absolute_url(),
    )


def _earlier_file(application: Application) -> Check:
    previous = application.programme.previous
    if previous is None:
        return Check(EligibilityRule.EARLIER_FILE_REQUIRED, True, _("No earlier file is needed."))
    earlier = application.earlier_application
    done = {Status.COMPLETED, Status.CLOSED, Status.IN_PROGRESS, Status.REPORT_SUBMITTED}
    if (
        earlier is not None
        and earlier.organisation_id == application.organisation_id
        and earlier.status in done
    ):
        return Check(
            EligibilityRule.EARLIER_FILE_REQUIRED,
            True,
            _("Your earlier %(programme)s file is %(reference)s.")
            % {"programme": previous.name, "reference": earlier.reference},
        )
    return Check(
        EligibilityRule.EARLIER_FILE_REQUIRED,
        False,
        _(
            "This call requires an earlier %(programme)s file of your organisation, carried out or completed."
        )
        % {"programme": previous.name},
        _("Choose it in the project step, or apply to %(programme)s first.")
        % {"programme": previous.name},
    )


def _earlier_programme_done(application: Application, programmes_done: set[str]) -> Check:
    """The programme finder's form of _earlier_file: the visitor says which programmes the
    organisation went through (it has no file to point at yet)."""
    previous = application.programme.previous
    if previous is None:
        return Check(EligibilityRule.EARLIER_FILE_REQUIRED, True, _("No earlier file is needed."))
    if previous.code in programmes_done:
        return Check(
            EligibilityRule.EARLIER_FILE_REQUIRED,
            True,
            _("Your organisation went through %(programme)s.") % {"programme": previous.name},
        )
    return Check(
        EligibilityRule.EARLIER_FILE_REQUIRED,
        False,
        _(
            "This call requires an earlier %(programme)s file of your organisation, carried out or completed."
        )
        % {"programme": previous.name},
        _("Apply to %(programme)s first.") % {"programme": previous.name},
    )


def _expert_recognised(application: Application, now: datetime) -> Check:
    if application.expert_chosen_by_adn and application.expert is None:
        return Check(
            EligibilityRule.EXPERT_RECOGNISED,
            True,
            _("The AdN will choose a recognised expert for you."),
        )
    expert = application.expert
    expert_step = step_with_role(application, Role.EXPERT)
    fix_url = _step_url(application, expert_step) if expert_step else ""
    if expert is None:
        return Check(
            EligibilityRule.EXPERT_RECOGNISED,
            False,
            _("No expert is chosen."),
            _("Choose a recognised expert."),
            fix_url,
        )
    today = timezone.localdate(now)  # Brussels' day, as the directory's
    if expert.is_listed_on(today):
        return Check(
            EligibilityRule.EXPERT_RECOGNISED,
            True,
            _("%(name)s is a recognised expert.") % {"name": expert.organisation.name},
        )
    if expert.starts_after(today):
        return Check(
            EligibilityRule.EXPERT_RECOGNISED,
            False,
            _("%(name)s is recognised only from %(date)s.")
            % {
                "name": expert.organisation.name,
                "date": formats.date_format(expert.recognised_from),
            },
            _("Choose another expert from the directory."),
            fix_url,
        )
    return Check(
        EligibilityRule.EXPERT_RECOGNISED,
        False,
        _("%(name)s is no longer a recognised expert.") % {"name": expert.organisation.name},
        _("Choose another expert from the directory."),
        fix_url,
    )


def run_checks(
    application: Application, *, now: datetime, deadline_at: datetime | None = None
) -> list[Check]:
    """The deadline and completeness always; then the rules the call lists, in order. The
    deadline is checked at `deadline_at` when given: an answer to an information request
    corrects a file submitted in time (the submission's moment), whatever the day."""
    checks = [_deadline(application, deadline_at or now), _complete(application)]
    rules = {
        EligibilityRule.WALLOON_SEAT: lambda: _walloon_seat(application),
        EligibilityRule.AUDIENCE_KIND: lambda: _audience(application),
        EligibilityRule.SME_SIZE: lambda: _sme_size(application),
        EligibilityRule.NO_OTHER_OPEN_FILE: lambda: _no_other_open_file(application),
        EligibilityRule.EARLIER_FILE_REQUIRED: lambda: _earlier_file(application),
        EligibilityRule.EXPERT_RECOGNISED: lambda: _expert_recognised(application, now),
    }
    checks += [rules[rule]() for rule in application.call.eligibility_rules if rule in rules]
    return checks


# The rules that read only the organisation: what the programme finder can tell before anyone
# signs up (applications/finder.py), by the same checks as the submission.
PROFILE_RULES = {
    EligibilityRule.WALLOON_SEAT: _walloon_seat,
    EligibilityRule.AUDIENCE_KIND: _audience,
    EligibilityRule.SME_SIZE: _sme_size,
}


def profile_checks(application: Application, *, programmes_done: set[str]) -> list[Check]:
    """The call's rules about the organisation and its path, for an organisation described in
    the programme finder (not saved). The rules about the file itself (deadline, completeness,
    open files, the expert) wait for the application."""
    checks = []
    for rule in application.call.eligibility_rules:
        if rule in PROFILE_RULES:
            checks.append(PROFILE_RULES[rule](application))
        elif rule == EligibilityRule.EARLIER_FILE_REQUIRED:
            checks.append(_earlier_programme_done(application, programmes_done))
    return checks
