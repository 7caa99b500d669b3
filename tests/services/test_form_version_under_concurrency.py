"""A call's form changed by a manager while a file answering it is being submitted, on
PostgreSQL (docs/domain.md, Application forms): the submitted file keeps the questions it
answered; the change becomes the call's next version."""

import copy
import threading
import time

import pytest
from django.db import connection, transaction

from applications import services
from applications.models import Application
from applications.services.forms import application_form_save
from applications.workflow import Status
from programs.application_forms.versions import call_form_version
from programs.models import FormVersion
from tests.fixtures.applicants import DECLARATIONS
from tests.fixtures.staff import staff

from .test_concurrency import ready_draft

# serialized_rollback: the data migrations (programmes, staff groups) survive the flushes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_form_change_racing_a_submission_never_changes_the_submitted_files_questions():
    """The submission's transaction stays open while the manager saves the form: the save
    waits for it, then finds the version answered and makes version 2. (Without the version's
    row lock, the save would not see the uncommitted submission and would rewrite version 1
    under the file just submitted.)"""
    assert connection.vendor == "postgresql"
    draft = ready_draft()
    manager = staff("programme manager", "START")
    answered = call_form_version(call=draft.call)
    original = answered.definition
    changed = copy.deepcopy(original)
    changed["steps"][0]["title"] = {**changed["steps"][0]["title"], "fr": "Organisation (revu)"}
    submitting = threading.Event()
    outcome: dict = {}

    def submit():
        try:
            connection.ensure_connection()
            with transaction.atomic():
                services.application_submit(
                    application=Application.objects.get(pk=draft.pk),
                    by=draft.created_by,
                    declarations=DECLARATIONS,
                )
                submitting.set()
                time.sleep(0.5)  # the manager's save starts meanwhile
        except Exception as error:
            outcome["submit"] = error
        finally:
            submitting.set()
            connection.close()

    def save():
        try:
            connection.ensure_connection()
            submitting.wait(timeout=10)
            outcome["saved"] = application_form_save(
                call=draft.call, definition=changed, by=manager
            )
        except Exception as error:
            outcome["save"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=submit), threading.Thread(target=save)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert "submit" not in outcome and "save" not in outcome, outcome
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert draft.form_version_id == answered.pk
    assert FormVersion.objects.get(pk=answered.pk).definition == original
    assert outcome["saved"].number == 2
    assert outcome["saved"].definition == changed
