"""A record nobody can rewrite silently (docs/domain.md): the audit log and every file's timeline
are chains of seals; an event changed, deleted or inserted behind the portal's back is found by
the verification, which names the first broken link; a lawful erasure is not a break."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from adn_portal.accounts.audit import audit
from adn_portal.accounts.models import (
    AuditEvent,
    AuditRedaction,
    BreakReason,
    ChainHead,
    EventIsFinal,
    RecordCheck,
)
from applications import services
from applications.models import ApplicationEvent
from applications.privacy import user_erase
from applications.records import records_verify
from applications.workflow import Status
from tests.auth import login, login_staff
from tests.factories import UserFactory
from tests.fixtures.staff import staff, submitted_file

pytestmark = pytest.mark.django_db

COMMAND = RecordCheck.Trigger.COMMAND


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def breaks(check: RecordCheck) -> list[tuple[str, int | None, int | None, str]]:
    return [(b["chain"], b["seq"], b["event"], b["reason"]) for b in check.breaks]


@pytest.fixture
def log():
    """Five audit events, a file whose timeline has a few events, all sealed as written."""
    person = UserFactory()
    events = [audit(AuditEvent.Action.LOGIN, user=person) for _ in range(5)]
    application = submitted_file()
    manager = staff("programme manager", "START")
    services.application_staff_transition(
        application=application, to=Status.ELIGIBILITY_CHECK, by=manager
    )
    services.application_add_note(application=application, by=manager, text="Dossier complet.")
    services.application_add_note(application=application, by=manager, text="Budget vérifié.")
    return {"audit": events, "file": application, "person": person}


def test_events_are_sealed_as_written_and_the_records_verify_intact(log):
    seqs = list(AuditEvent.objects.order_by("chain_seq").values_list("chain_seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    timeline = log["file"].events.order_by("chain_seq")
    assert [e.chain_seq for e in timeline] == list(range(1, timeline.count() + 1))
    assert all(len(e.digest) == len(e.link) == 64 for e in timeline)

    check = records_verify(trigger=COMMAND)

    assert check.intact is True
    assert check.breaks == []
    assert check.events == AuditEvent.objects.count() + ApplicationEvent.objects.count()
    assert check.audit_seq == AuditEvent.objects.count()
    assert check.audit_link == ChainHead.objects.get(chain="audit").link


def test_an_audit_event_changed_by_sql_is_the_first_broken_link(log):
    third = log["audit"][2]
    sql("UPDATE accounts_auditevent SET path = '/faked/' WHERE id = %s", [third.pk])

    check = records_verify(trigger=COMMAND)

    assert check.intact is False
    assert breaks(check) == [("audit", third.chain_seq, third.pk, BreakReason.CHANGED)]


def test_an_audit_event_whose_seal_is_rewritten_too_no_longer_links(log):
    """Whoever changes a row and recomputes its digest still lacks the key of the links."""
    from adn_portal.accounts.chains import content_digest

    third = log["audit"][2]
    sql("UPDATE accounts_auditevent SET path = '/faked/' WHERE id = %s", [third.pk])
    third = AuditEvent.objects.get(pk=third.pk)
    sql(
        "UPDATE accounts_auditevent SET digest = %s WHERE id = %s",
        [content_digest(third.chain_content()), third.pk],
    )

    check = records_verify(trigger=COMMAND)

    assert breaks(check) == [("audit", third.chain_seq, third.pk, BreakReason.LINK)]


def test_an_audit_event_deleted_by_sql_is_found_at_the_next_one(log):
    second, third = log["audit"][1], log["audit"][2]
    sql("DELETE FROM accounts_auditevent WHERE id = %s", [second.pk])

    check = records_verify(trigger=COMMAND)

    assert breaks(check) == [("audit", third.chain_seq, third.pk, BreakReason.MISSING)]


def test_an_event_inserted_by_sql_is_found(log):
    sql(
        "INSERT INTO accounts_auditevent (at, action, path, details) "
        "VALUES (CURRENT_TIMESTAMP, 'login', '/', '{}')"
    )
    inserted = AuditEvent.objects.get(chain_seq=None)

    check = records_verify(trigger=COMMAND)

    assert breaks(check) == [("audit", None, inserted.pk, BreakReason.UNSEALED)]


def test_an_event_inserted_with_a_copied_seal_is_found(log):
    """A forged row in the middle, with the place and seal of the event it pushes aside."""
    third = AuditEvent.objects.get(pk=log["audit"][2].pk)
    sql("UPDATE accounts_auditevent SET chain_seq = chain_seq + 1000 WHERE chain_seq >= %s", [3])
    sql(
        "INSERT INTO accounts_auditevent (at, action, path, details, chain_seq, digest, link) "
        "VALUES (CURRENT_TIMESTAMP, 'login', '/', '{}', 3, %s, %s)",
        [third.digest, third.link],
    )
    forged = AuditEvent.objects.get(chain_seq=3)

    check = records_verify(trigger=COMMAND)

    assert breaks(check) == [("audit", 3, forged.pk, BreakReason.CHANGED)]


def test_the_last_audit_events_removed_with_the_head_moved_back_are_found_by_the_anchor(log):
    assert records_verify(trigger=COMMAND).intact is True
    last = AuditEvent.objects.order_by("-chain_seq").first()
    before = AuditEvent.objects.get(chain_seq=last.chain_seq - 1)
    sql("DELETE FROM accounts_auditevent WHERE id = %s", [last.pk])
    sql(
        "UPDATE accounts_chainhead SET length = %s, link = %s WHERE chain = 'audit'",
        [before.chain_seq, before.link],
    )

    check = records_verify(trigger=COMMAND)

    # The check that saw it left an anchor on the last event of the audit log (RecordCheck).
    assert check.intact is False
    assert ("audit", last.chain_seq, None, BreakReason.ANCHOR) in breaks(check)


def test_the_last_event_of_a_timeline_removed_is_found_by_the_head(log):
    application = log["file"]
    last = application.events.order_by("-chain_seq").first()
    sql("DELETE FROM applications_applicationevent WHERE id = %s", [last.pk])

    check = records_verify(trigger=COMMAND)

    assert breaks(check) == [(f"file:{application.pk}", last.chain_seq - 1, None, BreakReason.HEAD)]


@pytest.mark.parametrize("change", ["comment", "at", "by", "deleted", "inserted"])
def test_a_file_timeline_changed_by_sql_is_found(log, change):
    application = log["file"]
    first = application.events.order_by("chain_seq").first()
    second = application.events.order_by("chain_seq")[1]
    table = "applications_applicationevent"
    if change == "comment":
        sql(f"UPDATE {table} SET comment = 'Rien à signaler' WHERE id = %s", [first.pk])  # noqa: S608
    elif change == "at":
        sql(f"UPDATE {table} SET at = '2020-01-01 00:00:00' WHERE id = %s", [first.pk])  # noqa: S608
    elif change == "by":
        sql(f"UPDATE {table} SET by_id = %s WHERE id = %s", [UserFactory().pk, first.pk])  # noqa: S608
    elif change == "deleted":
        sql(f"DELETE FROM {table} WHERE id = %s", [first.pk])  # noqa: S608
    else:
        sql(
            f"INSERT INTO {table} (application_id, kind, from_status, to_status, at, comment,"  # noqa: S608
            " visible_to_applicant) VALUES (%s, 'note', '', '', CURRENT_TIMESTAMP, 'ajout', false)",
            [application.pk],
        )

    check = records_verify(trigger=COMMAND)

    chain = f"file:{application.pk}"
    expected = {
        "comment": (chain, 1, first.pk, BreakReason.CHANGED),
        "at": (chain, 1, first.pk, BreakReason.CHANGED),
        "by": (chain, 1, first.pk, BreakReason.CHANGED),
        "deleted": (chain, 2, second.pk, BreakReason.MISSING),
    }
    if change == "inserted":
        inserted = ApplicationEvent.objects.get(comment="ajout")
        assert breaks(check) == [(chain, None, inserted.pk, BreakReason.UNSEALED)]
    else:
        assert breaks(check) == [expected[change]]


def test_a_whole_timeline_removed_is_found(log):
    application = log["file"]
    sql("DELETE FROM applications_applicationevent WHERE application_id = %s", [application.pk])

    check = records_verify(trigger=COMMAND)

    assert breaks(check) == [(f"file:{application.pk}", None, None, BreakReason.EMPTIED)]


def test_an_event_is_never_saved_twice(log):
    event = AuditEvent.objects.get(pk=log["audit"][0].pk)
    event.path = "/changed/"
    with pytest.raises(EventIsFinal):
        event.save()
    timeline_event = log["file"].events.first()
    timeline_event.comment = "changed"
    with pytest.raises(EventIsFinal):
        timeline_event.save()


def test_a_deleted_draft_takes_its_timeline_with_it_and_the_records_stay_intact(log):
    from tests.factories import CallFactory, OrganisationFactory, make_member

    applicant = make_member(OrganisationFactory())
    draft = services.application_start(
        call=CallFactory(), organisation=applicant.organisations.get(), by=applicant
    )
    assert ChainHead.objects.filter(chain=f"file:{draft.pk}").exists()

    services.application_delete_draft(application=draft, by=applicant)

    assert not ChainHead.objects.filter(chain=f"file:{draft.pk}").exists()
    assert records_verify(trigger=COMMAND).intact is True


# --- Lawful erasure: rows change in the open, and stay verifiable ----------------------------


@pytest.fixture
def erased(log):
    person = log["person"]
    stranger = Client(REMOTE_ADDR="203.0.113.9")
    stranger.post(reverse("account_login"), {"login": person.email, "password": "wrong"})
    audit(AuditEvent.Action.DATA_EXPORT, user=person, note=f"asked by {person.email}")
    user_erase(user=person)
    return person


def test_an_erasure_changes_audit_rows_and_the_records_still_verify(erased):
    changed = AuditRedaction.objects.values_list("event_id", flat=True)
    assert AuditEvent.objects.filter(pk__in=changed, user=erased).count() >= 5
    assert (
        not AuditEvent.objects.filter(details__icontains="@")
        .exclude(action=AuditEvent.Action.ERASURE)
        .filter(user=erased)
        .exists()
    )
    erasure = AuditEvent.objects.get(action=AuditEvent.Action.ERASURE, user=erased)
    assert erasure.details["redacted"]["rows"] == AuditRedaction.objects.count()

    check = records_verify(trigger=COMMAND)

    assert check.intact is True, check.breaks


def test_an_erased_row_changed_again_by_sql_is_found(erased):
    redacted = AuditRedaction.objects.select_related("event").first().event
    sql("UPDATE accounts_auditevent SET path = '/again/' WHERE id = %s", [redacted.pk])

    check = records_verify(trigger=COMMAND)

    assert breaks(check) == [("audit", redacted.chain_seq, redacted.pk, BreakReason.CHANGED)]


def test_a_redaction_record_added_by_sql_to_hide_a_change_is_found(erased):
    from adn_portal.accounts.chains import content_digest

    victim = audit(AuditEvent.Action.LOGIN, user=UserFactory())
    sql("UPDATE accounts_auditevent SET path = '/hidden/' WHERE id = %s", [victim.pk])
    victim = AuditEvent.objects.get(pk=victim.pk)
    erasure = AuditEvent.objects.get(action=AuditEvent.Action.ERASURE)
    sql(
        "INSERT INTO accounts_auditredaction (event_id, erasure_id, digest) VALUES (%s, %s, %s)",
        [victim.pk, erasure.pk, content_digest(victim.chain_content())],
    )

    check = records_verify(trigger=COMMAND)

    assert ("audit", erasure.chain_seq, erasure.pk, BreakReason.REDACTION) in breaks(check)


# --- The command and the staff page ------------------------------------------------------------


def test_the_command_reports_intact_records(log, capsys):
    call_command("verify_records")

    assert "Intact:" in capsys.readouterr().out
    assert RecordCheck.objects.get().trigger == COMMAND


def test_the_command_fails_and_names_the_first_broken_link(log, capsys):
    third = log["audit"][2]
    sql("UPDATE accounts_auditevent SET path = '/faked/' WHERE id = %s", [third.pk])

    with pytest.raises(CommandError, match="1 broken chain"):
        call_command("verify_records")

    out = capsys.readouterr().out
    assert f"audit: event {third.pk} at position {third.chain_seq}" in out


def test_administrators_see_the_last_verification(client, log):
    third = log["audit"][2]
    sql("UPDATE accounts_auditevent SET path = '/faked/' WHERE id = %s", [third.pk])
    records_verify(trigger=COMMAND)
    login_staff(client, staff("administrator"))

    response = client.get(reverse("record_checks"))

    assert response.status_code == 200
    assert response["Cache-Control"].count("no-store") == 1
    page = response.content.decode()
    assert 'role="alert"' in page
    with translation.override("fr"):
        reason = escape(str(BreakReason.CHANGED.label))
    assert f"<td>{third.chain_seq}</td>\n                <td>{third.pk}</td>\n" in page
    assert reason in page


@pytest.mark.parametrize("who", ["programme manager", "reviewer", "applicant"])
def test_the_verification_page_is_for_administrators_only(client, log, who):
    if who == "applicant":
        login(client, UserFactory())
    else:
        login_staff(client, staff(who, "START"))

    response = client.get(reverse("record_checks"))

    assert response.status_code == 404
