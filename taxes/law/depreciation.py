"""The Treasury's building depreciation table (ตารางกำหนดอัตราร้อยละของค่าเสื่อมโรงเรือนสิ่งปลูกสร้าง).

Percent deducted from a building's construction cost by its age in whole years, for the three
materials of the table. The LAO operations manual's own example uses it (a wooden house of 10 years:
40 %). Other materials (steel frame, bamboo, ...) or a newer table are loaded into a tax year from CSV
(``import_appraisal_csv --table depreciation``); this is the default shipped with every new year.
"""

from __future__ import annotations

from decimal import Decimal

TREASURY_DEPRECIATION_SOURCE = {
    "rule": "depreciation",
    "title_th": "ตารางกำหนดอัตราร้อยละของค่าเสื่อมโรงเรือนสิ่งปลูกสร้าง (กรมธนารักษ์)",
    "title_en": "Treasury Department table of building depreciation by age and material",
    "section": "Sec. 35 (building value less depreciation)",
    "gazette": None,
    "checked": "DOMAIN.md table; the LAO operations manual's example (wood, 10 years: 40 %)",
    "verify": "the Treasury's published table itself (year of issue)",
}


def _concrete() -> list[int]:
    ages = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34]
    ages += [36 + 2 * i for i in range(20)]  # ages 23-42: 36 + 2 a year -> 74
    return ages  # index 0 = age 1; age 43 and older: 76


def _table() -> dict[str, list[tuple[int, int | None, Decimal]]]:
    concrete = [(age, age, Decimal(p)) for age, p in enumerate(_concrete(), start=1)]
    concrete.append((43, None, Decimal(76)))
    mixed_pcts = [2, 4, 6, 8, 10, 14, 18, 22, 26, 30, 34, 38, 42, 46, 50, 55, 60, 65, 70, 75, 80]
    mixed = [(age, age, Decimal(p)) for age, p in enumerate(mixed_pcts, start=1)]
    mixed.append((22, None, Decimal(85)))
    wood_pcts = [3, 6, 9, 12, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 72, 79, 86]
    wood = [(age, age, Decimal(p)) for age, p in enumerate(wood_pcts, start=1)]
    wood.append((19, None, Decimal(93)))
    return {"concrete": concrete, "mixed": mixed, "wood": wood}


#: material -> [(age_from, age_to or None = and older, percent)]; age 0 (built this year): no row, 0 %.
TREASURY_DEPRECIATION: dict[str, list[tuple[int, int | None, Decimal]]] = _table()


def depreciation_percent(
    material: str, age: int, table: dict[str, list[tuple[int, int | None, Decimal]]] | None = None
) -> Decimal | None:
    """The percent for ``material`` at ``age`` whole years; None when the table has no such material."""
    rows = (TREASURY_DEPRECIATION if table is None else table).get(material)
    if rows is None:
        return None
    for age_from, age_to, pct in rows:
        if age_from <= age and (age_to is None or age <= age_to):
            return pct
    return Decimal(0)
