"""Parties and households as the spreadsheets staff keep (CSV or XLSX), out and back in.

Import is all or nothing, like the vector imports: every row is checked (kind, names, the
national ID's check digit, dates in CE or BE, the household or village a row points to, duplicates
in the file and in the register) and, if any row is bad, nothing is written and the report names
each bad row by its spreadsheet row number (the header is row 1). Good files are bulk-inserted with
their history rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from pyproj import Transformer
from simple_history.utils import bulk_create_with_history

from gis_portal.errors import DomainError, Problem

from . import sql
from .models import Building, Household, Organisation, Party, PartyKind, RegisterStatus, Village
from .services import lock_register
from .validators import normalise_national_id

CHANGE_REASON = "tabular import"
PARTY_COLUMNS = [
    "kind",
    "national_id",
    "title",
    "first_name",
    "last_name",
    "juristic_name",
    "birth_date",
    "phone",
    "village_no",
    "house_number",
    "is_household_head",
]
HOUSEHOLD_COLUMNS = ["village_no", "house_number", "lon", "lat", "parcel_code", "building_no", "status"]
KIND_ALIASES = {
    "person": PartyKind.PERSON,
    "บุคคล": PartyKind.PERSON,
    "บุคคลธรรมดา": PartyKind.PERSON,
    "juristic": PartyKind.JURISTIC,
    "นิติบุคคล": PartyKind.JURISTIC,
}
TRUE = {"1", "true", "yes", "y", "ใช่", "x", "✓"}
FALSE = {"", "0", "false", "no", "n", "ไม่ใช่"}


@dataclass
class TabularReport:
    kind: str
    total: int = 0
    created: int = 0
    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return (
                f"{len(self.problems)} problem(s) in {self.total} row(s); nothing was written / "
                f"พบปัญหา {len(self.problems)} รายการจาก {self.total} แถว ไม่มีการบันทึกข้อมูล"
            )
        verb, verb_th = ("would import", "จะนำเข้า") if self.dry_run else ("imported", "นำเข้าแล้ว")
        return f"{verb} {self.total} {self.kind} / {verb_th} {self.total} รายการ"

    def write_csv(self, path: str | Path) -> None:
        """The validation report as a spreadsheet: row, code, message (English, Thai)."""
        with open(path, "w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow(["row", "code", "message_en", "message_th"])
            for p in self.problems:
                writer.writerow([p.item, p.code, p.message_en, p.message_th])


# --- reading and writing spreadsheets -------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


XLSX_MAX_MEMBERS = 10_000


def _not_a_table(name: str, why: str) -> DomainError:
    return DomainError(
        "file_type",
        f"Cannot read {name}: {why}; use a .csv (UTF-8) or .xlsx spreadsheet",
        f"อ่านไฟล์ {name} ไม่ได้ ใช้ไฟล์ .csv (UTF-8) หรือ .xlsx เท่านั้น",
    )


def check_table_file(path: Path) -> None:
    """Size and content checks before a spreadsheet is parsed: a .csv must be text, an .xlsx a real
    Office Open XML workbook (a zip with a workbook part) that does not unpack beyond the limit."""
    limit = settings.REGISTER_IMPORT_MAX_BYTES
    if path.stat().st_size > limit:
        raise DomainError(
            "file_too_large",
            f"{path.name} is larger than {limit:,} bytes",
            f"ไฟล์ {path.name} ใหญ่เกิน {limit:,} ไบต์",
        )
    with path.open("rb") as f:
        head = f.read(8192)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if b"\x00" in head or head.startswith((b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0")):
            raise _not_a_table(path.name, "the file is not text")
    elif suffix == ".xlsx":
        if not head.startswith(b"PK\x03\x04"):
            raise _not_a_table(path.name, "the file is not an .xlsx workbook")
        try:
            with zipfile.ZipFile(path) as archive:
                members = archive.infolist()
        except (zipfile.BadZipFile, OSError):
            raise _not_a_table(path.name, "the file is not an .xlsx workbook") from None
        names = {m.filename for m in members}
        if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
            raise _not_a_table(path.name, "the zip holds no Excel workbook")
        if len(members) > XLSX_MAX_MEMBERS or sum(m.file_size for m in members) > limit:
            raise DomainError(
                "file_too_large",
                f"{path.name} unpacks to more than {limit:,} bytes",
                f"ไฟล์ {path.name} เมื่อแตกออกมีขนาดเกิน {limit:,} ไบต์",
            )


def read_table(path: str | Path) -> list[dict[str, str]]:
    """Rows of a .csv (UTF-8, with or without BOM) or the first sheet of a .xlsx, keyed by header."""
    path = Path(path)
    if not path.exists():
        raise DomainError("file_not_found", f"No such file: {path}", f"ไม่พบไฟล์ {path}")
    suffix = path.suffix.lower()
    check_table_file(path)
    try:
        if suffix == ".csv":
            with open(path, newline="", encoding="utf-8-sig") as fh:
                reader = csv.reader(fh)
                rows = [list(r) for r in reader]
        elif suffix == ".xlsx":
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True, data_only=True)
            rows = [[_cell(v) for v in r] for r in book.worksheets[0].iter_rows(values_only=True)]
            book.close()
        else:
            raise DomainError("bad_format", "Use a .csv or .xlsx file", "ใช้ไฟล์ .csv หรือ .xlsx")
    except DomainError:
        raise
    except Exception as exc:  # csv, zip and openpyxl errors alike
        raise DomainError(
            "unreadable_file", f"Cannot read {path.name}: {exc}", f"อ่านไฟล์ {path.name} ไม่ได้"
        ) from None
    if not rows:
        return []
    header = [_cell(h).lower() for h in rows[0]]
    return [
        {name: _cell(row[i]) if i < len(row) else "" for i, name in enumerate(header) if name}
        for row in rows[1:]
        if any(_cell(v) for v in row)
    ]


def write_table(path: str | Path, columns: list[str], rows: Iterable[dict[str, Any]]) -> int:
    path = Path(path)
    count = 0
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(path.stem[:31] or "sheet")
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(c) for c in columns])
            count += 1
        book.save(path)
        return count
    if path.suffix.lower() != ".csv":
        raise DomainError("bad_format", "Use a .csv or .xlsx file", "ใช้ไฟล์ .csv หรือ .xlsx")
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
            count += 1
    return count


# --- export ---------------------------------------------------------------------------------------


def export_parties(organisation: Organisation, path: str | Path, *, with_personal_data: bool = False) -> int:
    rows = (
        Party.objects.filter(organisation=organisation)
        .order_by("household__village__number", "household__house_number", "id")
        .values(*[c for c in PARTY_COLUMNS if c not in ("village_no", "house_number")])
        .annotate(village_no=F("household__village__number"), house_number=F("household__house_number"))
    )

    def out() -> Iterable[dict[str, Any]]:
        for row in rows:
            if not with_personal_data:
                row["national_id"] = Party(national_id=row["national_id"]).masked_national_id
                phone = row["phone"]
                row["phone"] = ("X" * max(len(phone) - 4, 0) + phone[-4:]) if phone else ""
                row["birth_date"] = None
            elif row["birth_date"]:
                row["birth_date"] = row["birth_date"].isoformat()
            row["is_household_head"] = 1 if row["is_household_head"] else 0
            yield row

    return write_table(path, PARTY_COLUMNS, out())


def export_households(organisation: Organisation, path: str | Path) -> int:
    rows = (
        Household.objects.filter(organisation=organisation)
        .order_by("village__number", "house_number", "id")
        .values("house_number", "status", "location")
        .annotate(
            village_no=F("village__number"),
            parcel_code=F("building__parcel__code"),
            building_no=F("building__number"),
        )
    )

    def out() -> Iterable[dict[str, Any]]:
        for row in rows:
            point = row.pop("location")
            row["lon"], row["lat"] = round(point.x, 8), round(point.y, 8)
            yield row

    return write_table(path, HOUSEHOLD_COLUMNS, out())


# --- import ---------------------------------------------------------------------------------------


def _missing_columns(rows: list[dict[str, str]], required: list[str]) -> list[Problem]:
    present = set(rows[0]) if rows else set()
    return [
        Problem("row 1", "missing_column", f"no column {name!r}", f"ไม่มีคอลัมน์ {name!r}")
        for name in required
        if name not in present
    ]


def _date(value: str) -> dt.date | None:
    """ISO (2501-05-01 counts as BE) or d/m/yyyy, CE or BE (a year above 2400 is BE)."""
    if not value:
        return None
    value = value.strip()
    if "/" in value:
        day, month, year = (int(p) for p in value.split("/"))
    else:
        year, month, day = (int(p) for p in value[:10].split("-"))
    if year > 2400:
        year -= 543
    return dt.date(year, month, day)


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise ValueError(value)


def _int(value: str) -> int | None:
    return int(float(value)) if value.strip() else None


@transaction.atomic
def import_parties(
    *, organisation: Organisation, path: str | Path, dry_run: bool = False, user: Any = None
) -> TabularReport:
    """Add the parties of a spreadsheet (all or nothing); see the module docstring."""
    rows = read_table(path)
    report = TabularReport(kind="parties", total=len(rows), dry_run=dry_run)
    report.problems = _missing_columns(
        rows, ["kind", "national_id", "first_name", "last_name", "juristic_name"]
    )
    if report.problems or not rows:
        return report
    lock_register(organisation.pk)
    households = {
        (number, house): pk
        for pk, number, house in Household.objects.filter(
            organisation=organisation, status=RegisterStatus.ACTIVE
        ).values_list("id", "village__number", "house_number")
    }
    ids_in_file: dict[str, str] = {}
    candidates: list[Party] = []
    problems: list[Problem] = []
    for n, row in enumerate(rows, start=2):
        label = f"row {n}"

        def bad(code: str, en: str, th: str, label: str = label) -> None:
            problems.append(Problem(label, code, en, th))

        kind = KIND_ALIASES.get(row.get("kind", "").strip().lower())
        if kind is None:
            bad("bad_kind", f"kind {row.get('kind')!r}: person or juristic", "ประเภทต้องเป็น บุคคล หรือ นิติบุคคล")
            continue
        national_id = normalise_national_id(row.get("national_id", ""))
        if national_id.upper().startswith("X"):
            bad("masked_id", "the national ID is masked; export with personal data", "เลขประจำตัวถูกปิดบัง")
            continue
        try:
            birth_date = _date(row.get("birth_date", ""))
        except (ValueError, TypeError):
            bad("bad_date", f"birth_date {row.get('birth_date')!r} is not a date", "วันเกิดไม่ถูกต้อง")
            birth_date = None
        try:
            head = _flag(row.get("is_household_head", ""))
        except ValueError:
            bad("bad_flag", "is_household_head must be 1/0, yes/no", "is_household_head ต้องเป็น 1 หรือ 0")
            head = False
        household_id = None
        village_no, house = row.get("village_no", ""), row.get("house_number", "").strip()
        if village_no or house:
            try:
                household_id = households.get((_int(village_no), house))
            except ValueError:
                household_id = None
            if household_id is None:
                bad(
                    "unknown_household",
                    f"no household {house} in village {village_no}",
                    f"ไม่พบบ้านเลขที่ {house} หมู่ {village_no}",
                )
        party = Party(
            organisation=organisation,
            kind=kind,
            national_id=national_id,
            title=row.get("title", ""),
            first_name=row.get("first_name", ""),
            last_name=row.get("last_name", ""),
            juristic_name=row.get("juristic_name", ""),
            birth_date=birth_date,
            phone=row.get("phone", "").replace(" ", "").replace("-", ""),
            household_id=household_id,
            is_household_head=head,
        )
        try:
            # Field checks and the ID's check digit in Python; no query per row.
            party.full_clean(
                exclude=["organisation", "household"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                bad(f"invalid_{name}", f"{name}: {' '.join(messages)}", f"{name}: {' '.join(messages)}")
        if kind == PartyKind.PERSON and not party.first_name.strip():
            bad("missing_name", "a person needs a first_name", "บุคคลธรรมดาต้องมีชื่อ")
        if kind == PartyKind.JURISTIC and not party.juristic_name.strip():
            bad("missing_name", "a juristic person needs a juristic_name", "นิติบุคคลต้องมีชื่อนิติบุคคล")
        if national_id:
            if national_id in ids_in_file:
                bad("duplicate_id", f"same national ID as {ids_in_file[national_id]}", "เลขประจำตัวซ้ำในไฟล์")
            ids_in_file.setdefault(national_id, label)
        candidates.append(party)
    registered = set(
        Party.objects.filter(organisation=organisation, national_id__in=list(ids_in_file)).values_list(
            "national_id", flat=True
        )
    )
    for national_id in sorted(registered):
        problems.append(
            Problem(
                ids_in_file[national_id],
                "already_registered",
                f"national ID {Party(national_id=national_id).masked_national_id} is already in the register",
                "เลขประจำตัวนี้มีในทะเบียนแล้ว",
            )
        )
    report.problems = sorted(problems, key=lambda p: int(p.item.split()[1]))
    if report.problems or dry_run:
        return report
    bulk_create_with_history(
        candidates,
        Party,
        batch_size=2000,
        default_change_reason=CHANGE_REASON,
        default_user=user if getattr(user, "is_authenticated", False) else None,
    )
    report.created = len(candidates)
    return report


@transaction.atomic
def import_households(
    *, organisation: Organisation, path: str | Path, dry_run: bool = False, user: Any = None
) -> TabularReport:
    """Add households from a spreadsheet with lon/lat (EPSG:4326) or utm_e/utm_n (the organisation's UTM)."""
    rows = read_table(path)
    report = TabularReport(kind="households", total=len(rows), dry_run=dry_run)
    report.problems = _missing_columns(rows, ["village_no", "house_number"])
    if rows and not ({"lon", "lat"} <= set(rows[0]) or {"utm_e", "utm_n"} <= set(rows[0])):
        report.problems.append(
            Problem(
                "row 1",
                "missing_column",
                "need lon and lat, or utm_e and utm_n",
                "ต้องมี lon, lat หรือ utm_e, utm_n",
            )
        )
    if report.problems or not rows:
        return report
    lock_register(organisation.pk)
    to_ll = Transformer.from_crs(organisation.utm_srid, 4326, always_xy=True)
    villages = dict(Village.objects.filter(organisation=organisation).values_list("number", "id"))
    buildings = {
        (code, number): pk
        for pk, code, number in Building.objects.filter(
            organisation=organisation, status=RegisterStatus.ACTIVE
        ).values_list("id", "parcel__code", "number")
    }
    taken = set(
        Household.objects.filter(organisation=organisation, status=RegisterStatus.ACTIVE).values_list(
            "village__number", "house_number"
        )
    )
    problems: list[Problem] = []
    candidates: list[tuple[str, Household]] = []
    seen: dict[tuple[int, str], str] = {}
    for n, row in enumerate(rows, start=2):
        label = f"row {n}"
        try:
            number = _int(row.get("village_no", ""))
        except ValueError:
            number = None
        house = row.get("house_number", "").strip()
        if number not in villages:
            problems.append(
                Problem(label, "unknown_village", f"no village {row.get('village_no')!r}", "ไม่พบหมู่บ้าน")
            )
            continue
        if not house:
            problems.append(Problem(label, "missing_value", "house_number is empty", "ไม่มีบ้านเลขที่"))
            continue
        key = (number, house)
        if key in taken:
            problems.append(
                Problem(
                    label,
                    "house_number_taken",
                    f"{house} หมู่ {number} is already registered",
                    f"บ้านเลขที่ {house} หมู่ {number} มีแล้ว",
                )
            )
        elif key in seen:
            problems.append(
                Problem(label, "duplicate", f"same house number as {seen[key]}", f"ซ้ำกับ {seen[key]}")
            )
        seen.setdefault(key, label)
        try:
            if row.get("lon") and row.get("lat"):
                x, y = float(row["lon"]), float(row["lat"])
            else:
                x, y = to_ll.transform(float(row["utm_e"]), float(row["utm_n"]))
            if not (-180 <= x <= 180 and -90 <= y <= 90):
                raise ValueError
        except (KeyError, ValueError, TypeError):
            problems.append(
                Problem(label, "bad_location", "lon/lat or utm_e/utm_n missing or not numbers", "พิกัดไม่ถูกต้อง")
            )
            continue
        building_id = None
        if row.get("parcel_code"):
            try:
                building_id = buildings.get(
                    (row["parcel_code"].strip().upper(), _int(row.get("building_no") or "1"))
                )
            except ValueError:
                building_id = None
            if building_id is None:
                problems.append(
                    Problem(
                        label,
                        "unknown_building",
                        f"no building {row.get('building_no') or 1} on parcel {row['parcel_code']}",
                        "ไม่พบอาคาร",
                    )
                )
        status = row.get("status") or RegisterStatus.ACTIVE
        if status not in RegisterStatus.values:
            problems.append(
                Problem(label, "bad_status", f"status {status!r}: active or retired", "สถานะไม่ถูกต้อง")
            )
        candidates.append(
            (
                label,
                Household(
                    organisation=organisation,
                    village_id=villages[number],
                    building_id=building_id,
                    house_number=house,
                    location=Point(x, y, srid=4326),
                    status=status,
                ),
            )
        )
    for label, household in candidates:
        try:
            household.full_clean(
                exclude=["organisation", "village", "building", "location_3857"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                problems.append(Problem(label, f"invalid_{name}", f"{name}: {' '.join(messages)}"))
    # One query: which village contains each point (it must be the row's own).
    found = sql.villages_for_points(
        organisation_id=organisation.pk,
        points=[(i, bytes(h.location.wkb)) for i, (_, h) in enumerate(candidates)],
    )
    for i, (label, household) in enumerate(candidates):
        if found.get(i) != household.village_id:
            problems.append(
                Problem(
                    label, "outside_village", "the point is not inside its village", "ตำแหน่งไม่อยู่ในหมู่บ้านที่ระบุ"
                )
            )
    report.problems = sorted(problems, key=lambda p: int(p.item.split()[1]))
    if report.problems or dry_run:
        return report
    bulk_create_with_history(
        [h for _, h in candidates],
        Household,
        batch_size=2000,
        default_change_reason=CHANGE_REASON,
        default_user=user if getattr(user, "is_authenticated", False) else None,
    )
    report.created = len(candidates)
    return report
