"""Small extracts of the Crossroads Bank for Enterprises' open data, in the real file format
(the FPS Economy's "Cookbook KBO Open Data", version R018.00): a zip named
KboOpenData_<number>_<year>_<month>_<day>_Full.zip (or _Update), holding meta.csv, code.csv,
enterprise.csv, establishment.csv, denomination.csv, address.csv, contact.csv, activity.csv and
branch.csv; an update holds, for each of these but meta and code, <file>_delete.csv (the
numbers whose rows go) and <file>_insert.csv (their rows now), and code.csv whole.

CSV as the FPS writes it: comma, text in double quotes, an empty value unquoted (a quoted empty
string is not the same), dates dd-mm-yyyy unquoted, enterprise numbers 9999.999.999 and
establishment numbers 9.999.999.999, UTF-8, CRLF line ends."""

import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

HEADERS = {
    "meta": ("Variable", "Value"),
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
    "establishment": ("EstablishmentNumber", "StartDate", "EnterpriseNumber"),
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
    "contact": ("EntityNumber", "EntityContact", "ContactType", "Value"),
    "activity": ("EntityNumber", "ActivityGroup", "NaceVersion", "NaceCode", "Classification"),
    "branch": ("Id", "StartDate", "EnterpriseNumber"),
}
DELETE_HEADERS = {
    "enterprise": ("EnterpriseNumber",),
    "establishment": ("EstablishmentNumber",),
    "denomination": ("EntityNumber",),
    "address": ("EntityNumber",),
    "contact": ("EntityNumber",),
    "activity": ("EntityNumber",),
    "branch": ("Id",),
}
CODES = [
    ("JuridicalForm", "014", "DE", "Aktiengesellschaft"),
    ("JuridicalForm", "014", "FR", "Société anonyme"),
    ("JuridicalForm", "014", "NL", "Naamloze vennootschap"),
    ("JuridicalForm", "610", "DE", "Gesellschaft mit beschränkter Haftung"),
    ("JuridicalForm", "610", "FR", "Société à responsabilité limitée"),
    ("JuridicalForm", "610", "NL", "Besloten vennootschap"),
    ("JuridicalSituation", "000", "DE", "gewöhnlicher Zustand"),
    ("JuridicalSituation", "000", "FR", "Situation normale"),
    ("JuridicalSituation", "000", "NL", "Normale toestand"),
    ("Status", "AC", "FR", "Actif"),
    ("Status", "AC", "NL", "Actief"),
    ("TypeOfEnterprise", "1", "FR", "Personne physique"),
    ("TypeOfEnterprise", "1", "NL", "Natuurlijk Persoon"),
    ("TypeOfEnterprise", "2", "FR", "Personne morale"),
    ("TypeOfEnterprise", "2", "NL", "Rechtspersoon"),
    ("TypeOfDenomination", "001", "FR", "Dénomination"),
    ("TypeOfDenomination", "001", "NL", "Naam"),
    ("TypeOfDenomination", "002", "FR", "Abréviation"),
    ("TypeOfDenomination", "002", "NL", "Afkorting"),
    ("TypeOfDenomination", "003", "FR", "Dénomination commerciale"),
    ("TypeOfDenomination", "003", "NL", "Commerciële naam"),
    ("TypeOfAddress", "REGO", "FR", "Siège"),
    ("TypeOfAddress", "REGO", "NL", "Zetel"),
    ("TypeOfAddress", "BAET", "FR", "Unité d'établissement"),
    ("TypeOfAddress", "BAET", "NL", "Vestigingseenheid"),
    ("Classification", "MAIN", "FR", "Activité principale"),
    ("Classification", "SECO", "FR", "Activité secondaire"),
    ("ActivityGroup", "001", "FR", "Activités TVA"),
    ("ActivityGroup", "006", "FR", "Activités ONSS"),
    ("Nace2008", "62010", "FR", "Programmation informatique"),
    ("Nace2008", "62010", "NL", "Ontwerpen en programmeren van computerprogramma's"),
    ("Nace2025", "62100", "FR", "Activités de programmation informatique"),
    ("Nace2008", "10711", "FR", "Fabrication industrielle de pain et de pâtisserie fraîche"),
    ("Nace2025", "10711", "FR", "Fabrication industrielle de pain et de pâtisserie fraîche"),
]


@dataclass
class Establishment:
    number: str  # 2.xxx.xxx.xxx
    start: date
    name: str
    zipcode: str
    municipality: str
    street: str
    house_number: str


@dataclass
class Enterprise:
    """One enterprise as the open data describes it (numbers with their dots)."""

    number: str
    names: list[tuple[str, str, str]]  # (language, type, name): language 1 fr, 2 nl, 3 de
    start: date = date(2015, 3, 2)
    juridical_form: str | None = "610"
    juridical_situation: str = "000"
    type_of_enterprise: str = "2"
    # The registered office (REGO); None for a natural person (the register gives none).
    office: dict | None = field(
        default_factory=lambda: {
            "zipcode": "4000",
            "municipality_fr": "Liège",
            "municipality_nl": "Luik",
            "street_fr": "Rue de la Boulangerie",
            "street_nl": "Rue de la Boulangerie",
            "house_number": "12",
            "box": "",
        }
    )
    activities: list[tuple[str, str, str, str]] = field(
        default_factory=lambda: [
            ("001", "2003", "72210", "MAIN"),
            ("001", "2008", "62010", "MAIN"),
            ("001", "2025", "62100", "MAIN"),
            ("006", "2008", "62010", "MAIN"),
        ]
    )  # (group, NACE version, code, classification)
    establishments: list[Establishment] = field(default_factory=list)
    contacts: list[tuple[str, str]] = field(default_factory=list)  # (type, value)


def _value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return '"' + str(value).replace('"', '""') + '"'


def _csv(rows: list[tuple]) -> bytes:
    return "".join(",".join(_value(v) for v in row) + "\r\n" for row in rows).encode()


def _rows(enterprises: list[Enterprise]) -> dict[str, list[tuple]]:
    """Each file's rows (header first) for these enterprises, as a full extract lists them."""
    rows = {name: [header] for name, header in HEADERS.items() if name not in ("meta", "code")}
    for e in enterprises:
        rows["enterprise"].append(
            (
                e.number,
                "AC",
                e.juridical_situation,
                e.type_of_enterprise,
                e.juridical_form,
                None,
                e.start,
            )
        )
        rows["denomination"] += [(e.number, *name) for name in e.names]
        if e.office:
            o = e.office
            rows["address"].append(
                (
                    e.number,
                    "REGO",
                    o.get("country_nl"),
                    o.get("country_fr"),
                    o["zipcode"],
                    o["municipality_nl"],
                    o["municipality_fr"],
                    o["street_nl"],
                    o["street_fr"],
                    o["house_number"],
                    o.get("box", ""),
                    "",
                    o.get("struck_off"),
                )
            )
        rows["activity"] += [(e.number, *activity) for activity in e.activities]
        rows["contact"] += [(e.number, "ENT", kind, value) for kind, value in e.contacts]
        for s in e.establishments:
            rows["establishment"].append((s.number, s.start, e.number))
            rows["denomination"].append((s.number, "1", "003", s.name))
            rows["address"].append(
                (
                    s.number,
                    "BAET",
                    None,
                    None,
                    s.zipcode,
                    s.municipality,
                    s.municipality,
                    s.street,
                    s.street,
                    s.house_number,
                    "",
                    "",
                    None,
                )
            )
            rows["activity"].append((s.number, "001", "2008", "47240", "MAIN"))
    return rows


def _meta(number: int, kind: str, snapshot: date) -> bytes:
    created = datetime(snapshot.year, snapshot.month, snapshot.day, 7, 7, 49, tzinfo=UTC)
    return _csv(
        [
            HEADERS["meta"],
            ("SnapshotDate", snapshot.strftime("%d-%m-%Y")),
            ("ExtractTimestamp", created.strftime("%d-%m-%Y %H:%M:%S")),
            ("ExtractType", kind),
            ("ExtractNumber", str(number)),
            ("Version", "R018.00"),
        ]
    )


def _name(folder: Path, number: int, snapshot: date, kind: str) -> Path:
    return folder / f"KboOpenData_{number:04d}_{snapshot:%Y_%m_%d}_{kind}.zip"


def full_extract(
    folder: Path, *, number: int, snapshot: date, enterprises: list[Enterprise]
) -> Path:
    path = _name(folder, number, snapshot, "Full")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.csv", _meta(number, "full", snapshot))
        archive.writestr("code.csv", _csv([HEADERS["code"], *CODES]))
        for name, rows in _rows(enterprises).items():
            archive.writestr(f"{name}.csv", _csv(rows))
    return path


def update_extract(
    folder: Path,
    *,
    number: int,
    snapshot: date,
    changed: list[Enterprise] = (),
    stopped: list[str] = (),
) -> Path:
    """An update as the FPS makes one: every file of a changed enterprise lists its number in
    the _delete file and all its rows now in the _insert file; a stopped enterprise (it left
    the register) is only deleted."""
    path = _name(folder, number, snapshot, "Update")
    inserted = _rows(list(changed))
    numbers = [e.number for e in changed] + list(stopped)
    deleted = {
        "enterprise": numbers,
        "denomination": numbers,
        "address": numbers,
        "contact": numbers,
        "activity": numbers,
        "establishment": [s.number for e in changed for s in e.establishments],
        "branch": [],
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.csv", _meta(number, "update", snapshot))
        archive.writestr("code.csv", _csv([HEADERS["code"], *CODES]))
        for name, rows in inserted.items():
            archive.writestr(
                f"{name}_delete.csv", _csv([DELETE_HEADERS[name], *[(n,) for n in deleted[name]]])
            )
            archive.writestr(f"{name}_insert.csv", _csv(rows))
    return path
