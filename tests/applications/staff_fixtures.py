"""Submitted files and staff members for the back-office tests."""

import itertools

from django.utils import timezone

from applications.models import Application, ApplicationVersion
from applications.workflow import Status
from programs.models import Programme, ProgrammeStaff
from tests.factories import (
    CallFactory,
    OrganisationFactory,
    ScoringCriterionFactory,
    UserFactory,
    make_member,
)

_numbers = itertools.count(1)


def staff(role: str, *programme_codes: str, **fields):
    user = UserFactory(role=role, is_staff=True, **fields)
    for code in programme_codes:
        ProgrammeStaff.objects.create(user=user, programme=Programme.objects.get(code=code))
    return user


def scored_call(code: str = "START", **fields):
    call = CallFactory(programme=Programme.objects.get(code=code), **fields)
    ScoringCriterionFactory(call=call, label_fr="Pertinence", weight=3)
    ScoringCriterionFactory(call=call, label_fr="Faisabilité", weight=2)
    return call


def submitted_file(
    call=None, *, status: Status = Status.SUBMITTED, organisation=None, applicant=None, **fields
) -> Application:
    """A file as it is after submission (content frozen in version 1), without the form steps."""
    call = call or scored_call()
    organisation = organisation or OrganisationFactory()
    applicant = applicant or make_member(organisation)
    number = next(_numbers)
    application = Application.objects.create(
        call=call,
        programme=call.programme,
        organisation=organisation,
        created_by=applicant,
        status=status,
        reference=f"{call.programme.code}-2026-{number:04d}",
        submitted_at=timezone.now(),
        data={"needs": {"activity": "Boulangerie"}},
        title=f"Projet {number}",
        **fields,
    )
    ApplicationVersion.objects.create(
        application=application,
        number=1,
        data=application.data,
        organisation_snapshot={},
        created_by=applicant,
    )
    return application
