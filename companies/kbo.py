"""The open-data files of the Crossroads Bank for Enterprises (BCE/KBO), as the FPS Economy's
"Cookbook KBO Open Data" (version R018.00) describes them: a zip of CSV files (comma, fields in
double quotes, an empty value unquoted, dates dd-mm-yyyy, UTF-8), meta.csv telling the extract's
number and kind. A full extract holds every active enterprise; an update extract holds, for each
file, `<file>_delete.csv` (the numbers whose rows go) and `<file>_insert.csv` (their rows now).
Only what the portal keeps is read (docs/domain.md, The enterprise register)."""

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path


class ExtractError(Exception):
    """Not an extract the portal can read: the message says which file and what."""


# Each file read, with its columns as the file names them (checked against its header).
COLUMNS = {
    "code": ("Category", "Code", "Language", "Description"),
    "enterprise": (
        "EnterpriseNumber",
        "Status",
        "JuridicalSituation",
        "TypeOfEnterprise",
        "JuridicalForm",
        "JuridicalFormCAC",
        "StartDate",
    ),
    "denomination": ("EntityNumber", "Language", "TypeOfDenomination", "Denomination"),
    "address": (
        "EntityNumber",
        "TypeOfAddress",
        "CountryNL",
        "CountryFR",
        "Zipcode",
        "MunicipalityNL",
        "MunicipalityFR",
        "StreetNL",
        "StreetFR",
        "HouseNumber",
        "Box",
        "ExtraAddressInfo",
        "DateStrikingOff",
    ),
    "activity": ("EntityNumber", "ActivityGroup", "NaceVersion", "NaceCode", "Classification"),
}
# What an update's delete file holds, per file.
DELETE_COLUMNS = {
    "enterprise": ("EnterpriseNumber",),
    "denomination": ("EntityNumber",),
    "address": ("EntityNumber",),
    "activity": ("EntityNumber",),
}
# Read in this order: an enterprise before its names, addresses and activities.
FILES = ("enterprise", "denomination", "address", "activity")


@dataclass(frozen=True)
class Meta:
    number: int
    kind: str  # "full" or "update"
    snapshot_date: date
    extract_timestamp: str
    version: str

    @property
    def full(self) -> bool:
        return self.kind == "full"


def read_meta(path: Path) -> Meta:
    """meta.csv's variables: ExtractNumber, ExtractType (full/update), SnapshotDate…"""
    with _archive(path) as archive:
        values = {
            row.get("Variable", ""): (row.get("Value") or "").strip()
            for row in csv.DictReader(_text(archive, "meta.csv"))
        }
    kind = values.get("ExtractType", "").lower()
    try:
        number = int(values["ExtractNumber"])
        snapshot = datetime.strptime(values["SnapshotDate"], "%d-%m-%Y").date()  # noqa: DTZ007
    except (KeyError, ValueError):
        raise ExtractError(
            f"{path.name}: meta.csv has no valid ExtractNumber or SnapshotDate."
        ) from None
    if kind not in ("full", "update"):
        raise ExtractError(f"{path.name}: meta.csv's ExtractType is {kind!r}, not full or update.")
    return Meta(
        number=number,
        kind=kind,
        snapshot_date=snapshot,
        extract_timestamp=values.get("ExtractTimestamp", ""),
        version=values.get("Version", ""),
    )


def member_name(archive: zipfile.ZipFile, name: str) -> str | None:
    """The member called `name`, whatever its case (contact_insert.Csv exists) or folder."""
    wanted = name.lower()
    for info in archive.infolist():
        if info.filename.rsplit("/", 1)[-1].lower() == wanted:
            return info.filename
    return None


def open_member(archive: zipfile.ZipFile, name: str, columns: tuple[str, ...]):
    """A binary stream of the member, its header checked against `columns`; None if absent."""
    found = member_name(archive, name)
    if found is None:
        return None
    with archive.open(found) as stream:
        first = stream.readline().decode("utf-8-sig").strip("\r\n")
    header = tuple(next(csv.reader([first]), []))
    if header != columns:
        raise ExtractError(
            f"{name} has the columns {', '.join(header)}; expected {', '.join(columns)} "
            "(has the Cookbook KBO Open Data changed?)."
        )
    return archive.open(found)


def _archive(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise ExtractError(f"{path.name} is not a zip file: {error}") from None


def open_archive(path: Path) -> zipfile.ZipFile:
    return _archive(path)


def _text(archive: zipfile.ZipFile, name: str):
    found = member_name(archive, name)
    if found is None:
        raise ExtractError(f"The extract has no {name}.")
    return io.TextIOWrapper(archive.open(found), encoding="utf-8-sig", newline="")
