"""Parties and households as CSV/XLSX: export, import with a validation report, all or nothing."""

from __future__ import annotations

import csv

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from parcels.models import Household, Party
from parcels.tabular import (
    PARTY_COLUMNS,
    export_households,
    export_parties,
    import_households,
    import_parties,
    read_table,
)
from tests.api.register import national_id

pytestmark = pytest.mark.django_db


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_export_masks_unless_asked_and_reads_back(register, pangmu, tmp_path):
    person = register["person"]
    masked = tmp_path / "parties.csv"
    assert export_parties(pangmu, masked) == 2
    rows = read_table(masked)
    assert {r["national_id"] for r in rows} == {
        person.masked_national_id,
        register["company"].masked_national_id,
    }
    head = next(r for r in rows if r["first_name"] == "สมชาย")
    assert head["house_number"] == "12/1" and head["village_no"] == "1" and head["is_household_head"] == "1"
    full = tmp_path / "parties.xlsx"
    export_parties(pangmu, full, with_personal_data=True)
    assert person.national_id in {r["national_id"] for r in read_table(full)}
    homes = tmp_path / "households.xlsx"
    assert export_households(pangmu, homes) == 1
    row = read_table(homes)[0]
    assert row["parcel_code"] == "01A002" and float(row["lon"]) == pytest.approx(
        register["household"].location.x
    )


def test_import_parties_from_xlsx_with_thai_values(register, pangmu, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(PARTY_COLUMNS)
    sheet.append(
        [
            "บุคคล",
            national_id("110170000099"),
            "นาง",
            "มาลี",
            "ใจดี",
            "",
            "15/03/2530",
            "081-111-2222",
            1,
            "12/1",
            "0",
        ]
    )
    sheet.append(["นิติบุคคล", "", "", "", "", "วัดปางหมู", "", "", "", "", ""])
    path = tmp_path / "new.xlsx"
    book.save(path)
    report = import_parties(organisation=pangmu, path=path)
    assert report.ok and report.created == 2, report.problems
    malee = Party.objects.get(organisation=pangmu, first_name="มาลี")
    assert malee.birth_date.isoformat() == "1987-03-15"  # 2530 BE
    assert malee.household == register["household"] and malee.phone == "0811112222"
    assert malee.history.first().history_change_reason == "tabular import"


def test_bad_rows_are_each_reported_and_nothing_is_written(register, pangmu, tmp_path):
    good = national_id("110170000077")
    path = write_csv(
        tmp_path / "bad.csv",
        PARTY_COLUMNS,
        [
            ["person", good, "นาย", "ดี", "มาก", "", "", "", "", "", ""],  # row 2: fine
            ["person", "1234567890123", "นาย", "ผิด", "เลข", "", "", "", "", "", ""],  # row 3: check digit
            ["alien", "", "", "x", "", "", "", "", "", "", ""],  # row 4: kind
            ["person", good, "นาย", "ซ้ำ", "", "", "", "", "", "", ""],  # row 5: duplicate in file
            ["person", register["person"].national_id, "", "มี", "แล้ว", "", "", "", "", "", ""],  # row 6
            ["person", "", "", "", "ไม่มีชื่อ", "", "31/02/2530", "", 9, "99", "maybe"],  # row 7: several
        ],
    )
    before = Party.objects.count()
    report = import_parties(organisation=pangmu, path=path)
    assert not report.ok and Party.objects.count() == before
    by_row: dict[str, set[str]] = {}
    for p in report.problems:
        by_row.setdefault(p.item, set()).add(p.code)
    assert by_row["row 3"] == {"invalid_national_id"}
    assert by_row["row 4"] == {"bad_kind"}
    assert by_row["row 5"] == {"duplicate_id"}
    assert by_row["row 6"] == {"already_registered"}
    assert {"bad_date", "bad_flag", "unknown_household", "missing_name"} <= by_row["row 7"]
    assert "row 2" not in by_row
    out = tmp_path / "report.csv"
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_parties", str(path), "--org", "pangmu", "--report", str(out))
    assert "already_registered" in out.read_text(encoding="utf-8-sig")


def test_import_households(register, pangmu, tmp_path):
    grid = register["grid"]
    inside, outside = grid.point(300, 300), grid.point(5000, 5000)
    path = write_csv(
        tmp_path / "homes.csv",
        ["village_no", "house_number", "lon", "lat", "parcel_code", "building_no"],
        [[1, "77", inside.x, inside.y, "", ""], [1, "78", inside.x, inside.y, "01A002", 1]],
    )
    report = import_households(organisation=pangmu, path=path)
    assert report.ok, report.problems
    assert Household.objects.get(house_number="78").building == register["house"]
    bad = write_csv(
        tmp_path / "bad.csv",
        ["village_no", "house_number", "lon", "lat"],
        [
            [1, "77", inside.x, inside.y],
            [1, "80", outside.x, outside.y],
            [5, "81", inside.x, inside.y],
            [1, "82", "east", ""],
        ],
    )
    report = import_households(organisation=pangmu, path=bad)
    assert [(p.item, p.code) for p in report.problems] == [
        ("row 2", "house_number_taken"),
        ("row 3", "outside_village"),
        ("row 4", "unknown_village"),
        ("row 5", "bad_location"),
    ]
    assert Household.objects.filter(organisation=pangmu).count() == 3


def test_commands_round_trip_parties(register, pangmu, mokchampae, tmp_path):
    out = tmp_path / "parties.csv"
    call_command("export_parties", str(out), "--org", "pangmu", "--with-personal-data")
    rows = read_table(out)
    # Into another organisation, without households (they are pangmu's): blank the references.
    for row in rows:
        row["village_no"] = row["house_number"] = ""
    write_csv(out, PARTY_COLUMNS, [[r[c] for c in PARTY_COLUMNS] for r in rows])
    call_command("import_parties", str(out), "--org", "mokchampae", "--dry-run")
    assert not Party.objects.filter(organisation=mokchampae).exists()
    call_command("import_parties", str(out), "--org", "mokchampae")
    assert set(Party.objects.filter(organisation=mokchampae).values_list("national_id", flat=True)) == {
        register["person"].national_id,
        register["company"].national_id,
    }
    (tmp_path / "x.txt").write_text("kind\n")
    with pytest.raises(CommandError, match="csv or .xlsx"):
        call_command("import_parties", str(tmp_path / "x.txt"), "--org", "pangmu")
