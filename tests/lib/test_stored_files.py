"""Stored files go through the STORAGES aliases (so that a bucket configured once holds them
all), are never given out by address, and leave storage with their rows, once the transaction
commits: whatever deletes or replaces the row."""

import logging
import re
from pathlib import Path

import boto3
import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.template import Context, Template
from django.urls import reverse
from moto import mock_aws

from adn_portal.lib import stored_files
from adn_portal.lib.s3 import NoObjectURL, PrivateS3Storage
from applications import services as application_services
from applications.models import Attachment, Export
from applications.privacy import applications_anonymise_older_than
from applications.workflow import Status
from companies import services as company_services
from companies.models import Expert, ExpertProfileChange, OwnershipClaim
from tests.auth import login_staff
from tests.factories import ExpertFactory, OrganisationFactory, UserFactory, make_member
from tests.fixtures.applicants import pdf
from tests.fixtures.staff import staff, submitted_file

ROOT = Path(__file__).resolve().parents[2]
CODE = ["adn_portal", "applications", "companies", "programs", "stats"]
# Their files are shared by name between a profile and its proposals (not copied): the
# experts' services drop a logo once no profile shows it and no pending proposal offers it.
DROPPED_BY_SERVICES = {("companies.Expert", "logo"), ("companies.ExpertProfileChange", "logo")}


def file_fields():
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]


def test_every_file_field_stores_through_a_storages_alias():
    aliases = {id(storages[alias]): alias for alias in ("default", "private")}
    for model, field in file_fields():
        storage = (
            field._storage_callable() if hasattr(field, "_storage_callable") else field.storage
        )
        assert storage is default_storage or id(storage) in aliases, (
            f"{model._meta.label}.{field.name} stores outside settings.STORAGES"
        )


def test_no_code_reaches_stored_files_but_through_the_storages():
    """A path on one node's disk is missing on the others (and in the bucket)."""
    allowed = {ROOT / "adn_portal" / "settings" / "base.py", ROOT / "adn_portal" / "lib" / "env.py"}
    pattern = re.compile(r"FileSystemStorage|MEDIA_ROOT|\.file\.path\b|\.document\.path\b")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in CODE
        for path in (ROOT / folder).rglob("*.py")
        if path not in allowed and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_every_file_field_leaves_storage_with_its_row():
    fields = {(model._meta.label, field.name) for model, field in file_fields()}
    forgotten = fields - stored_files.FOLLOWED - DROPPED_BY_SERVICES
    assert forgotten == set(), (
        "Register these in their app's ready() with stored_files.delete_with_rows"
    )


# Rows deleted: the file goes on commit, not before


@pytest.mark.django_db
def test_a_removed_document_stays_stored_until_the_removal_commits(
    django_capture_on_commit_callbacks,
):
    application = submitted_file(status=Status.DRAFT)
    member = application.organisation.memberships.get().user
    document = application_services.attachment_add(
        application=application, upload=pdf(), kind="annex", by=member
    )
    storage, name = document.file.storage, document.file.name

    with django_capture_on_commit_callbacks() as callbacks:
        application_services.attachment_remove(attachment=document, by=member)
    assert storage.exists(name)  # a rollback would keep the row: the file too
    for callback in callbacks:
        callback()
    assert not storage.exists(name)


@pytest.mark.django_db
def test_an_export_leaves_storage_when_its_row_goes_with_the_staff_member(
    django_capture_on_commit_callbacks,
):
    manager = staff("programme manager", "START")
    export = Export.objects.create(requested_by=manager, format=Export.Format.CSV)
    export.file.save(f"exports/{export.pk}.csv", ContentFile(b"a;b\n"))
    name = export.file.name

    with django_capture_on_commit_callbacks(execute=True):
        manager.delete()  # an administrator deletes the account: its exports cascade

    assert not Export.objects.filter(pk=export.pk).exists()
    assert not storages["private"].exists(name)


@pytest.mark.django_db
def test_a_claims_document_leaves_storage_with_the_deleted_organisation(
    django_capture_on_commit_callbacks,
):
    organisation = OrganisationFactory()
    make_member(organisation)
    claim = company_services.ownership_claim_create(
        enterprise_number=organisation.enterprise_number,
        claimant=UserFactory(),
        message="C'est notre entreprise.",
        document=pdf("statuts.pdf"),
    )
    name = claim.document.name
    assert storages["private"].exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        company_services.organisation_delete(organisation=organisation, by=UserFactory())

    assert not OwnershipClaim.objects.filter(pk=claim.pk).exists()
    assert not storages["private"].exists(name)


# serialized_rollback like the other transactional tests: its flush then leaves the content
# types to the next one's restore (a flush that re-creates them breaks that restore).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_retention_keeps_the_documents_when_its_transaction_rolls_back(settings):
    application = submitted_file(status=Status.CLOSED)
    member = application.organisation.memberships.get().user
    document = Attachment.objects.create(
        application=application,
        file=ContentFile(b"%PDF-1.4 old", name="applications/old.pdf"),
        original_name="vieux.pdf",
        content_type="application/pdf",
        size=12,
        sha256="0" * 64,
        uploaded_by=member,
    )
    type(application).objects.filter(pk=application.pk).update(
        data={"contact": {"contact_name": "Julie Dupont"}}, updated_at="2000-01-01T00:00Z"
    )

    with pytest.raises(RuntimeError), transaction.atomic():
        assert applications_anonymise_older_than(years=10) == 1
        raise RuntimeError("the database fails before the commit")

    document.refresh_from_db()
    assert document.original_name == "vieux.pdf"
    assert document.file.storage.exists(document.file.name)

    assert applications_anonymise_older_than(years=10) == 1
    assert not document.file.storage.exists(document.file.name)


@pytest.mark.django_db
def test_a_storage_failure_after_the_commit_is_logged_and_the_deletion_stands(
    django_capture_on_commit_callbacks, monkeypatch, caplog
):
    application = submitted_file(status=Status.DRAFT)
    member = application.organisation.memberships.get().user
    document = application_services.attachment_add(
        application=application, upload=pdf(), kind="annex", by=member
    )

    def unreachable(name):
        raise ConnectionError("object storage unreachable")

    monkeypatch.setattr(document.file.storage, "delete", unreachable)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        application_services.attachment_remove(attachment=document, by=member)

    assert not Attachment.objects.filter(pk=document.pk).exists()
    assert "object storage unreachable" in caplog.text


# Logos: shared by name between a profile and its proposals


def logo(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n" + name.encode(), content_type="image/png")


@pytest.fixture
def company(db):
    expert = ExpertFactory(logo=logo("ancien.png"))
    owner = make_member(expert.organisation)
    return expert, owner


def propose(expert, owner, upload, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return company_services.expert_update_profile(
            expert=expert, data={"logo": upload}, by=owner
        )


def decide(change, *, accept: bool, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        company_services.expert_profile_change_decide(
            change=change,
            accept=accept,
            by=staff("programme manager"),
            comment="" if accept else "Logo illisible.",
        )


def test_an_accepted_logo_replaces_the_published_one_in_storage(
    company, django_capture_on_commit_callbacks
):
    expert, owner = company
    published = expert.logo.name
    change = propose(expert, owner, logo("nouveau.png"), django_capture_on_commit_callbacks)
    assert default_storage.exists(published)  # still shown until staff accept

    decide(
        change, accept=True, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )

    expert.refresh_from_db()
    assert expert.logo.name == change.logo.name
    assert default_storage.exists(expert.logo.name)
    assert not default_storage.exists(published)


def test_a_refused_logo_leaves_storage_and_the_published_one_stays(
    company, django_capture_on_commit_callbacks
):
    expert, owner = company
    published = expert.logo.name
    change = propose(expert, owner, logo("refuse.png"), django_capture_on_commit_callbacks)

    decide(
        change, accept=False, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )

    assert not default_storage.exists(change.logo.name)
    assert default_storage.exists(published)


def test_a_refused_change_that_kept_the_logo_leaves_the_published_logo_stored(
    company, django_capture_on_commit_callbacks
):
    expert, owner = company
    with django_capture_on_commit_callbacks(execute=True):
        change = company_services.expert_update_profile(
            expert=expert, data={"public_phone": "+32 81 00 00 00"}, by=owner
        )
    assert change.logo.name == expert.logo.name  # the proposal names the published file

    decide(
        change, accept=False, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )

    assert default_storage.exists(expert.logo.name)


def test_a_second_proposed_logo_replaces_the_first_in_storage(
    company, django_capture_on_commit_callbacks
):
    expert, owner = company
    first = propose(expert, owner, logo("premier.png"), django_capture_on_commit_callbacks)
    first_name = first.logo.name
    second = propose(expert, owner, logo("second.png"), django_capture_on_commit_callbacks)

    assert second.pk == first.pk
    assert ExpertProfileChange.objects.get(pk=second.pk).logo.name == second.logo.name
    assert not default_storage.exists(first_name)
    assert default_storage.exists(second.logo.name)
    assert default_storage.exists(expert.logo.name)


def test_a_logo_replaced_by_staff_in_the_admin_leaves_storage(
    company, django_capture_on_commit_callbacks
):
    expert, _ = company
    published = expert.logo.name
    expert.logo = logo("corrige.png")
    with django_capture_on_commit_callbacks(execute=True):
        company_services.expert_save_by_staff(
            expert=expert, fields=["logo"], by=staff("administrator")
        )

    assert default_storage.exists(expert.logo.name)
    assert not default_storage.exists(published)


# The bucket gives out no address


@mock_aws
def test_the_bucket_storage_stores_reads_deletes_and_never_makes_an_address():
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="adn-test")
    storage = PrivateS3Storage(bucket_name="adn-test", location="private", file_overwrite=False)

    name = storage.save("applications/a.pdf", ContentFile(b"%PDF-1.4 contenu"))
    with storage.open(name, "rb") as stored:
        assert stored.read() == b"%PDF-1.4 contenu"
    objects = boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket="adn-test")
    assert [o["Key"] for o in objects["Contents"]] == ["private/applications/a.pdf"]
    with pytest.raises(NoObjectURL):
        storage.url(name)
    stored = type("Stored", (), {"url": property(lambda self: storage.url(name))})()
    assert Template("[{{ file.url }}]").render(Context({"file": stored})) == "[]"
    storage.delete(name)
    assert not storage.exists(name)


@mock_aws
@pytest.mark.django_db
def test_the_admin_shows_an_expert_whose_logo_is_in_the_bucket_without_its_address(
    client, monkeypatch
):
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="adn-test")
    bucket = PrivateS3Storage(bucket_name="adn-test", file_overwrite=False)
    monkeypatch.setattr(Expert._meta.get_field("logo"), "storage", bucket)
    expert = ExpertFactory(logo=logo("logo.png"))
    assert bucket.exists(expert.logo.name)
    login_staff(client, staff("administrator", is_superuser=True))

    response = client.get(reverse("admin:companies_expert_change", args=[expert.pk]))

    assert response.status_code == 200
    assert "adn-test" not in response.content.decode()  # no bucket address, signed or not
