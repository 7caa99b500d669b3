"""The enterprise register: what the Crossroads Bank for Enterprises (BCE/KBO) publishes as open
data, loaded by companies/services/register.py from its monthly full extract and its update
extracts (docs/domain.md, The enterprise register). Only enterprises are kept (not their
establishments), with their names, registered office and activities; written by SQL only."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RegisterExtract(models.Model):
    """One extract applied, by its number (meta.csv's ExtractNumber): applied once."""

    class Kind(models.TextChoices):
        FULL = "full", _("Full extract")
        UPDATE = "update", _("Update extract")

    number = models.PositiveIntegerField(unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    snapshot_date = models.DateField()  # the register as it was at midnight that day
    extract_timestamp = models.CharField(max_length=40, blank=True)
    version = models.CharField(max_length=20, blank=True)
    file_name = models.CharField(max_length=255)
    applied_at = models.DateTimeField(default=timezone.now)
    seconds = models.FloatField(default=0)
    enterprises = models.PositiveIntegerField(default=0)  # active after this extract
    # Enterprise rows added, changed or stopped (their names, offices, activities not counted).
    changed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.number} ({self.kind}, {self.snapshot_date})"


class RegisteredEnterprise(models.Model):
    """An enterprise of the register. The open data lists active enterprises only: one that
    leaves it is kept here as stopped, from the snapshot date of the extract it left in."""

    ACTIVE, STOPPED = "AC", "ST"

    number = models.CharField(max_length=10, primary_key=True)  # 10 digits, no dots
    status = models.CharField(max_length=2)
    juridical_situation = models.CharField(max_length=3)
    type_of_enterprise = models.CharField(max_length=1)  # 1 natural person, 2 legal person
    juridical_form = models.CharField(max_length=3, blank=True)
    juridical_form_cac = models.CharField(max_length=3, blank=True)
    start_date = models.DateField(null=True)
    stopped_on = models.DateField(null=True)
    extract = models.PositiveIntegerField()  # the last extract that changed this row

    def __str__(self) -> str:
        return self.number


class RegisteredName(models.Model):
    """denomination.csv: 001 name, 002 abbreviation, 003 commercial name, 004 branch name;
    language 0 unknown, 1 French, 2 Dutch, 3 German, 4 English."""

    enterprise = models.ForeignKey(
        RegisteredEnterprise,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_column="enterprise_number",
        related_name="names",
    )
    language = models.CharField(max_length=1)
    kind = models.CharField(max_length=3)
    name = models.CharField(max_length=320)

    def __str__(self) -> str:
        return self.name


class RegisteredAddress(models.Model):
    """address.csv: REGO is the registered office. `street` is written by the import (one
    formula, in SQL: the French street, else the Dutch, with number and box)."""

    enterprise = models.ForeignKey(
        RegisteredEnterprise,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_column="enterprise_number",
        related_name="addresses",
    )
    kind = models.CharField(max_length=4)
    country_nl = models.CharField(max_length=100, blank=True)
    country_fr = models.CharField(max_length=100, blank=True)
    zipcode = models.CharField(max_length=20, blank=True)
    municipality_nl = models.CharField(max_length=200, blank=True)
    municipality_fr = models.CharField(max_length=200, blank=True)
    street_nl = models.CharField(max_length=200, blank=True)
    street_fr = models.CharField(max_length=200, blank=True)
    house_number = models.CharField(max_length=22, blank=True)
    box = models.CharField(max_length=20, blank=True)
    extra = models.CharField(max_length=80, blank=True)
    struck_off = models.DateField(null=True)
    street = models.CharField(max_length=260, blank=True)

    def __str__(self) -> str:
        return f"{self.street}, {self.zipcode}"


class RegisteredActivity(models.Model):
    """activity.csv, enterprise level, NACE-BEL 2008 and 2025 (2003 is not kept)."""

    enterprise = models.ForeignKey(
        RegisteredEnterprise,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_column="enterprise_number",
        related_name="activities",
    )
    group = models.CharField(max_length=3)  # 001 VAT, 006 ONSS…
    nace_version = models.CharField(max_length=4)
    nace_code = models.CharField(max_length=7)
    classification = models.CharField(max_length=4)  # MAIN, SECO, ANCI

    def __str__(self) -> str:
        return f"{self.nace_version} {self.nace_code} {self.classification}"


class RegisterCode(models.Model):
    """code.csv: the words of every code (legal forms, situations, NACE…), replaced whole by
    each extract."""

    category = models.CharField(max_length=40)
    code = models.CharField(max_length=20)
    language = models.CharField(max_length=2)
    description = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["category", "code", "language"], name="register_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.code} {self.language}"
