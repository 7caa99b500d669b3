"""The enterprise register's import at the size of the real open data: a generated full extract
of 2,000,000 enterprises in the real file format, with as many names, addresses, establishments
and activities per enterprise as the FPS Economy's extract of June 2025 holds (89 MB of
enterprises, 152 MB of names, 297 MB of addresses, 1.6 GB of activities), then an update of
0.5 % of them, then the next month's full extract.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/adn_registers_bench \
       .venv/bin/python -m bench.register [--enterprises 2000000]
The generated CSV files stay in var/bench-kbo/ (about 2.5 GB) for the next run.
Figures measured so far: bench/results/README.md."""

import argparse
import os
import resource
import time
import zipfile
from datetime import date
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adn_portal.settings.test")

import django

django.setup()

from django.core.management import call_command
from django.db import connection

from companies.models import Organisation, RegisteredEnterprise
from companies.services import register_extract_apply

FOLDER = Path(__file__).resolve().parent.parent / "var" / "bench-kbo"
FILES = (
    "code",
    "enterprise",
    "establishment",
    "denomination",
    "address",
    "contact",
    "activity",
    "branch",
)
HEADERS = {
    "code": '"Category","Code","Language","Description"',
    "enterprise": '"EnterpriseNumber","Status","JuridicalSituation","TypeOfEnterprise",'
    '"JuridicalForm","JuridicalFormCAC","StartDate"',
    "establishment": '"EstablishmentNumber","StartDate","EnterpriseNumber"',
    "denomination": '"EntityNumber","Language","TypeOfDenomination","Denomination"',
    "address": '"EntityNumber","TypeOfAddress","CountryNL","CountryFR","Zipcode",'
    '"MunicipalityNL","MunicipalityFR","StreetNL","StreetFR","HouseNumber","Box",'
    '"ExtraAddressInfo","DateStrikingOff"',
    "contact": '"EntityNumber","EntityContact","ContactType","Value"',
    "activity": '"EntityNumber","ActivityGroup","NaceVersion","NaceCode","Classification"',
    "branch": '"Id","StartDate","EnterpriseNumber"',
}
PLACES = [
    ("4000", "Luik", "Liège"),
    ("5000", "Namen", "Namur"),
    ("1000", "Brussel", "Bruxelles"),
    ("9000", "Gent", "Gent"),
    ("7000", "Bergen", "Mons"),
    ("2000", "Antwerpen", "Antwerpen"),
    ("6000", "Charleroi", "Charleroi"),
    ("1300", "Waver", "Wavre"),
]
NACE = ["62010", "10711", "47240", "41201", "70220", "56101", "86210", "46900", "43210"]


def checked(base: int) -> str:
    """A number of 10 digits whose last two are 97 - (the first eight mod 97)."""
    return f"{base:08d}{97 - base % 97:02d}"


def dotted(number: str) -> str:
    return f"{number[:4]}.{number[4:7]}.{number[7:]}"


def dotted_establishment(number: str) -> str:
    return f"{number[0]}.{number[1:4]}.{number[4:7]}.{number[7:]}"


def enterprise_number(i: int) -> str:
    return dotted(checked(2_000_000 + 4 * i))


def rows_of(i: int, variant: int = 0):
    """Each file's lines for enterprise i: 55 % legal persons with a registered office, 45 %
    natural persons (no public seat), 0.87 establishments each, about 18 activity lines with
    establishments' (NACE 2003, 2008 and 2025; VAT and social security groups)."""
    number = enterprise_number(i)
    legal = i % 20 < 11
    start = f"{1 + i % 28:02d}-{1 + i % 12:02d}-{1960 + i % 65}"
    form = ("014", "610", "017", "030")[i % 4] if legal else ""
    yield (
        "enterprise",
        f'"{number}","AC","000","{2 if legal else 1}",{f"{chr(34)}{form}{chr(34)}" if form else ""},,{start}',
    )
    name = f"Entreprise {i} {'SRL' if legal else ''}{' v' + str(variant) if variant else ''}"
    yield "denomination", f'"{number}","{1 + i % 3}","001","{name.strip()}"'
    if i % 10 < 3:
        yield "denomination", f'"{number}","{1 + i % 3}","003","Enseigne {i}"'
    zipcode, municipality_nl, municipality_fr = PLACES[(i + variant) % len(PLACES)]
    if legal:
        yield (
            "address",
            f'"{number}","REGO",,,"{zipcode}","{municipality_nl}","{municipality_fr}",'
            f'"Straat {i % 997}","Rue {i % 997}","{1 + i % 200}","",'
            f'"",',
        )
    if i % 3 == 0:
        yield "contact", f'"{number}","ENT","TEL","04 {i % 1000:03d} {i % 100:02d} {i % 97:02d}"'
    codes = [NACE[(i + k) % len(NACE)] for k in range(1 + i % 4)]
    for version in ("2003", "2008", "2025"):
        for group in ("001", "006") if legal else ("001",):
            for k, code in enumerate(codes):
                yield (
                    "activity",
                    f'"{number}","{group}","{version}","{code}","{"MAIN" if k == 0 else "SECO"}"',
                )
    for e in range((0, 1, 1, 2, 0, 1, 1, 1)[i % 8] if i % 100 < 87 or not legal else 0):
        establishment = dotted_establishment(checked(20_000_000 + 2 * i + e))
        yield "establishment", f'"{establishment}",{start},"{number}"'
        yield (
            "address",
            f'"{establishment}","BAET",,,"{zipcode}","{municipality_nl}","{municipality_fr}",'
            f'"Straat {e}","Rue {e}","{e + 1}","","",',
        )
        if e == 0 and i % 4 == 0:
            yield "denomination", f'"{establishment}","1","003","Magasin {i}"'
        for code in codes[:2]:
            for version in ("2003", "2008", "2025"):
                yield "activity", f'"{establishment}","001","{version}","{code}","MAIN"'


def code_lines() -> list[str]:
    lines = []
    for code, fr, nl in (
        ("014", "Société anonyme", "Naamloze vennootschap"),
        ("610", "Société à responsabilité limitée", "Besloten vennootschap"),
        ("017", "Association sans but lucratif", "Vereniging zonder winstoogmerk"),
        ("030", "Société coopérative", "Coöperatieve vennootschap"),
    ):
        lines += [f'"JuridicalForm","{code}","FR","{fr}"', f'"JuridicalForm","{code}","NL","{nl}"']
    for n in range(21_000):  # the NACE descriptions are most of the real code.csv
        lines.append(f'"Nace2008","{n:05d}","{("FR", "NL")[n % 2]}","Activité {n}"')
    return lines


def write_csv_files(enterprises: int, folder: Path) -> None:
    """The CSV files of a full extract, written once and kept."""
    if (folder / "done").exists() and (folder / "done").read_text() == str(enterprises):
        return
    folder.mkdir(parents=True, exist_ok=True)
    handles = {name: open(folder / f"{name}.csv", "w", encoding="utf-8") for name in FILES}  # noqa: SIM115
    for name, handle in handles.items():
        handle.write(HEADERS[name] + "\r\n")
    handles["code"].write("\r\n".join(code_lines()) + "\r\n")
    for i in range(enterprises):
        for name, line in rows_of(i):
            handles[name].write(line + "\r\n")
    for handle in handles.values():
        handle.close()
    (folder / "done").write_text(str(enterprises))


def line_counts(folder: Path) -> dict[str, int]:
    """Each CSV's rows (its header not counted)."""
    counts = {}
    for name in FILES:
        with open(folder / f"{name}.csv", "rb") as handle:
            counts[name] = (
                sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 24), b"")) - 1
            )
    return counts


def meta(number: int, kind: str, snapshot: date) -> str:
    return (
        '"Variable","Value"\r\n'
        f'"SnapshotDate","{snapshot:%d-%m-%Y}"\r\n'
        f'"ExtractTimestamp","{snapshot:%d-%m-%Y} 07:07:49"\r\n'
        f'"ExtractType","{kind}"\r\n'
        f'"ExtractNumber","{number}"\r\n'
        '"Version","R018.00"\r\n'
    )


def full_zip(folder: Path, number: int, snapshot: date) -> Path:
    path = folder / f"KboOpenData_{number:04d}_{snapshot:%Y_%m_%d}_Full.zip"
    if not path.exists():
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.writestr("meta.csv", meta(number, "full", snapshot))
            for name in FILES:
                archive.write(folder / f"{name}.csv", f"{name}.csv")
    return path


def update_zip(folder: Path, enterprises: int, number: int, snapshot: date) -> Path:
    """0.5 % of the enterprises change (name and office), 0.15 % leave, 0.25 % are new: about
    the real update files' sizes for a month."""
    changed = range(0, enterprises, 200)
    stopped = range(7, enterprises, 667)
    new = range(enterprises, enterprises + enterprises // 400)
    inserted: dict[str, list[str]] = {name: [] for name in FILES if name != "code"}
    for i in [*changed, *new]:
        for name, line in rows_of(i, variant=1):
            inserted[name].append(line)
    numbers = [enterprise_number(i) for i in [*changed, *stopped]]
    path = folder / f"KboOpenData_{number:04d}_{snapshot:%Y_%m_%d}_Update.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("meta.csv", meta(number, "update", snapshot))
        archive.write(folder / "code.csv", "code.csv")
        for name, lines in inserted.items():
            key = {"establishment": "EstablishmentNumber", "branch": "Id"}.get(
                name, "EnterpriseNumber" if name == "enterprise" else "EntityNumber"
            )
            deleted = [] if name in ("establishment", "branch") else numbers
            archive.writestr(
                f"{name}_delete.csv",
                f'"{key}"\r\n' + "".join(f'"{n}"\r\n' for n in deleted),
            )
            archive.writestr(
                f"{name}_insert.csv", HEADERS[name] + "\r\n" + "".join(f"{x}\r\n" for x in lines)
            )
    return path


def sizes() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_live_tup FROM pg_stat_user_tables "
            "WHERE relname LIKE 'companies_register%%' ORDER BY relname"
        )
        return dict(cursor.fetchall())


def backend_peak_kb() -> int | None:
    """The PostgreSQL backend's peak resident memory (VmHWM), when the server runs here and its
    /proc is readable; None otherwise."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def backend_cpu_seconds() -> float | None:
    """The PostgreSQL backend's CPU time (user + system), when the server runs here: a figure
    that moves less than the wall-clock time with the machine's load."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def temp_written_mb() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0] / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=2_000_000)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("The register is loaded on PostgreSQL only.")
    folder = FOLDER / str(options.enterprises)
    started = time.perf_counter()
    write_csv_files(options.enterprises, folder)
    first = full_zip(folder, 140, date(2026, 10, 2))
    update = update_zip(folder, options.enterprises, 141, date(2026, 10, 3))
    second = full_zip(folder, 170, date(2026, 11, 6))
    print(f"extracts ready in {time.perf_counter() - started:.0f} s:")
    generated_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for path in (first, update, second):
        print(f"  {path.name}: {path.stat().st_size / 1e6:.0f} MB zipped")
    counts = line_counts(folder)
    for name in FILES:
        size = (folder / f"{name}.csv").stat().st_size
        print(f"  {name}.csv {size / 1e6:.0f} MB, {counts[name]:,} rows")
    rows = sum(counts.values())

    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    for n in range(2000):  # organisations to match, as the portal holds them
        Organisation.objects.create(
            name=f"Entreprise {n * 997} SRL" if (n * 997) % 20 < 11 else f"Autre {n}",
            enterprise_number=enterprise_number(n * 997).replace(".", ""),
            kind="sme",
            street=f"Rue {(n * 997) % 997} {1 + (n * 997) % 200}",
            postcode=PLACES[(n * 997) % len(PLACES)][0],
            municipality="Liège",
            province="liege",
        )
    for label, path in (
        ("full extract into an empty register", first),
        ("the same zip again", first),
        ("update extract (0.5 % changed)", update),
        ("next full extract (undoes the update)", second),
    ):
        start, temp = time.perf_counter(), temp_written_mb()
        cpu_backend, cpu_own = backend_cpu_seconds(), own_cpu_seconds()
        outcome = register_extract_apply(path=path)
        seconds = time.perf_counter() - start
        print(f"{label}: {seconds:.1f} s — {outcome.message}")
        backend_cpu = backend_cpu_seconds()
        print(
            "  CPU time: PostgreSQL backend "
            + (f"{backend_cpu - cpu_backend:.0f} s" if backend_cpu is not None else "unknown")
            + f", this process {own_cpu_seconds() - cpu_own:.0f} s"
        )
        if path == first and outcome.extract:
            print(f"  {rows:,} CSV rows read: {rows / seconds:,.0f} rows/s")
        backend = backend_peak_kb()
        print(
            f"  peak RSS so far: this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
            f" (after generating the files: {generated_peak / 1024:.0f} MB), PostgreSQL backend "
            + (f"{backend / 1024:.0f} MB" if backend else "unknown (not local)")
            + f"; temporary files written: {temp_written_mb() - temp:.0f} MB; "
            f"load average {os.getloadavg()[0]:.1f}"
        )
    print(f"active enterprises: {RegisteredEnterprise.objects.filter(status='AC').count()}")
    for table, rows in sizes().items():
        print(f"  {table}: {rows} rows")


if __name__ == "__main__":
    main()
