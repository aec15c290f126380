"""What changes by tax year, with its source: reductions, payment and installment dates, the reminder
month, the transitional farm exemption and the rate decree.

The dates are the last day of the month named by the Interior Ministry's notice ("ภายในเดือน..."),
moved from the Act's defaults every year 2020-2026 (Sec. 14 lets the ministry move them in general and
the local executive for its own area). A year not listed takes the Act's defaults (notice in
February, payment within April, installments April/May/June, reminder in May).

``checked`` says what was read to confirm an entry; ``verify`` what is still to be confirmed. News and
LAO pages quoting the Gazette or the ministry's letter are secondary sources: the Gazette PDF itself
was not read for any entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .depreciation import TREASURY_DEPRECIATION_SOURCE
from .reductions import SPECIAL_REDUCTIONS_SOURCE

#: Sources common to every year (the Act's own sections).
COMMON_SOURCES: list[dict[str, Any]] = [
    {
        "rule": "rates",
        "title_th": "พ.ร.บ. ภาษีที่ดินและสิ่งปลูกสร้าง พ.ศ. 2562 มาตรา 37 (เพดานอัตรา) และอัตราตามพระราชกฤษฎีกา",
        "title_en": "Land and Building Tax Act B.E. 2562, Sec. 37 (ceilings) and the rates set by royal decree",
        "section": "Sec. 37",
        "gazette": "2019-03-12",
        "checked": "DOMAIN.md rate table",
        "verify": "whether brackets apply per property or to the taxpayer's total per category in the LAO",
    },
    {
        "rule": "exemptions",
        "title_th": "ยกเว้นบุคคลธรรมดา: เกษตรกรรม 50 ล้าน (ม.40) บ้านหลังหลัก 50 ล้าน (ม.41) เฉพาะสิ่งปลูกสร้าง 10 ล้าน (ม.42)",
        "title_en": "Individuals' exemptions: farm 50 M (Sec. 40), main home 50 M (Sec. 41), house only 10 M (Sec. 42)",
        "section": "Sec. 40, 41, 42",
        "gazette": "2019-03-12",
        "checked": "DOMAIN.md",
        "verify": "",
    },
    {
        "rule": "co_ownership",
        "title_th": "กรรมสิทธิ์รวม: ยกเว้นตาม ม.41 พิจารณาทั้งทรัพย์สิน ครั้งเดียว แล้วแบ่งภาษีตามส่วน (คำพิพากษาศาลฎีกาที่ 3227/2568)",
        "title_en": "Co-owned home: one Sec. 41 exemption judged on the whole property, tax then shared (Supreme Court 3227/2568)",
        "section": "Sec. 41",
        "gazette": None,
        "checked": "DOMAIN.md summary of the judgment",
        "verify": "the judgment's text (applied here to Sec. 40 and 42 by the same reasoning)",
    },
    {
        "rule": "vacant",
        "title_th": "ที่ดินว่างเปล่า: ไม่ทำประโยชน์ติดต่อกัน 3 ปี เพิ่มอัตรา 0.3 ทุก 3 ปี รวมไม่เกินร้อยละ 3 (นับตั้งแต่ปี 2563)",
        "title_en": "Vacant land: +0.3 percentage points every 3 consecutive unused years, at most 3 % (counted from 2020)",
        "section": "Sec. 37",
        "gazette": "2019-03-12",
        "checked": "DOMAIN.md; worked example 7",
        "verify": "",
    },
    {
        "rule": "installments",
        "title_th": "ผ่อนชำระ 3 งวดเท่ากัน เมื่อภาษีตั้งแต่ 3,000 บาท (กฎกระทรวงการผ่อนชำระภาษี พ.ศ. 2562)",
        "title_en": "Three equal installments when the tax is at least 3,000 baht (ministerial regulation B.E. 2562)",
        "section": "Sec. 52",
        "gazette": None,
        "checked": "LAO notices (khaosamokhon.go.th 2021: 'over 3,000 baht, 3 installments'); cabinet approval "
        "of the regulation 11 Dec 2019 (prachachat.net)",
        "verify": "the regulation's text and Gazette date",
    },
    {
        "rule": "penalty",
        "title_th": "เบี้ยปรับร้อยละ 40 (ม.68) ร้อยละ 10 ถ้าชำระก่อนได้รับหนังสือแจ้งเตือน (ม.68) ร้อยละ 20 ถ้าชำระภายในเวลาที่หนังสือแจ้งเตือนกำหนด (ม.69)",
        "title_en": "Penalty 40 % (Sec. 68); 10 % if paid before the reminder is received (Sec. 68); 20 % if paid within the reminder's time (Sec. 69)",
        "section": "Sec. 61, 68, 69",
        "gazette": "2019-03-12",
        "checked": "the statute text of Sec. 68-70 as published by legardy.com and wangtabsaiphichit.go.th",
        "verify": "",
    },
    {
        "rule": "surcharge",
        "title_th": "เงินเพิ่มร้อยละ 1 ต่อเดือนของภาษีค้างชำระ เศษของเดือนนับเป็นหนึ่งเดือน ไม่นำเบี้ยปรับมาคำนวณ (ม.70) ไม่มีเพดานในกฎหมาย",
        "title_en": "Surcharge 1 % a month of the unpaid tax, part of a month a month, never on the penalty (Sec. 70); no cap in the Act",
        "section": "Sec. 70",
        "gazette": "2019-03-12",
        "checked": "the statute text of Sec. 70 (legardy.com, wangtabsaiphichit.go.th): no cap",
        "verify": "",
    },
]

_ACT_RATES_2020 = {
    "rule": "rates",
    "title_th": "อัตราภาษีช่วงสองปีแรก (บทเฉพาะกาล มาตรา 94)",
    "title_en": "Rates of the first two years (transitional Sec. 94)",
    "section": "Sec. 94",
    "gazette": "2019-03-12",
    "checked": "DOMAIN.md rate table; opt-news.com (2021) on the rates of 2020-2021",
    "verify": "",
}
_RATES_DECREE_2564 = {
    "rule": "rates",
    "title_th": "พระราชกฤษฎีกากำหนดอัตราภาษีที่ดินและสิ่งปลูกสร้าง พ.ศ. 2564 (อัตราเดิม ตั้งแต่ปีภาษี 2565)",
    "title_en": "Royal Decree setting the Land and Building Tax rates B.E. 2564 (same rates, from tax year 2022)",
    "section": "Sec. 37 para. 5",
    "gazette": "2021-12-13",
    "checked": "news report of the Gazette publication (thaijobsgov.com), opt-news.com on the cabinet's approval",
    "verify": "the Gazette text",
}
_SEC96 = {
    "rule": "transitional_farm_exemption",
    "title_th": "บุคคลธรรมดาได้รับยกเว้นภาษีที่ดินเกษตรกรรมในสามปีแรก 2563-2565 (มาตรา 96)",
    "title_en": "Individuals' farm land exempt in the first three years 2020-2022 (transitional Sec. 96)",
    "section": "Sec. 96",
    "gazette": "2019-03-12",
    "checked": "LAO notice citing Sec. 96 (bantan.go.th, 2022); DOMAIN.md",
    "verify": "",
}


def _dates(rule_th: str, rule_en: str, ref: str, gazette: str | None, checked: str, verify: str = "") -> dict:
    return {
        "rule": "dates",
        "title_th": rule_th,
        "title_en": rule_en,
        "section": ref,
        "gazette": gazette,
        "checked": checked,
        "verify": verify,
    }


@dataclass(frozen=True)
class YearLaw:
    """One tax year's differences from the common rules, and their sources."""

    year: int
    reduction_percent: str = "0"
    reduction_reference: str = ""
    reduction_skips_special_percents: tuple[str, ...] = ()
    individual_agricultural_fully_exempt: bool = False
    due_dates: tuple[str, ...] = ("04-30", "05-31", "06-30")  # payment (installment 1), 2, 3: "MM-DD"
    reminder_by: str = "05-31"  # the reminder letters (Sec. 61) are sent within this month
    sources: tuple[dict[str, Any], ...] = field(default_factory=tuple)


_RD_2563_GENERAL = "พ.ร.ฎ. ลดภาษีสำหรับที่ดินและสิ่งปลูกสร้างบางประเภท พ.ศ. 2563"
_RD_2564_GENERAL = "พ.ร.ฎ. ลดภาษีสำหรับที่ดินและสิ่งปลูกสร้างบางประเภท (ฉบับที่ 2) พ.ศ. 2564"
_RD_2566_GENERAL = "พ.ร.ฎ. ลดภาษีสำหรับที่ดินและสิ่งปลูกสร้างบางประเภท (ฉบับที่ 3) พ.ศ. 2566"

YEAR_LAW: dict[int, YearLaw] = {
    2020: YearLaw(
        year=2020,
        reduction_percent="90",
        reduction_reference=_RD_2563_GENERAL,
        reduction_skips_special_percents=("90",),
        individual_agricultural_fully_exempt=True,
        due_dates=("09-30", "10-31", "11-30"),
        reminder_by="10-31",
        sources=(
            _ACT_RATES_2020,
            _SEC96,
            {
                "rule": "reduction",
                "title_th": _RD_2563_GENERAL + " ลดร้อยละ 90 ของภาษีที่คำนวณได้ ปีภาษี 2563",
                "title_en": "Royal Decree reducing the tax of certain land and buildings B.E. 2563: 90 % for 2020",
                "section": "Act Sec. 55",
                "gazette": "2020-06-10",
                "in_force": "2020-06-11",
                "checked": "Royal Gazette vol. 137 part 42 Kor of 10 June 2020 as reported by thansettakij.com, "
                "prop2morrow.com, mazars.co.th",
                "verify": "how it stacks with the 90 % special reduction (taken as in 2023: not on top of it)",
            },
            _dates(
                "กระทรวงมหาดไทยขยายกำหนดเวลาปี 2563: ชำระภายในกันยายน ผ่อนชำระ ก.ย./ต.ค./พ.ย. แจ้งเตือนภายในตุลาคม 2563",
                "Interior Ministry extension for 2020: pay within September; installments Sep/Oct/Nov; "
                "reminders within October 2020",
                "Sec. 14",
                None,
                "LAO notices quoting the ministry's general extension (suanmon.go.th 28 Aug 2020, sirirach, "
                "muangkaew); it replaced the first move to August 2020 (Interior letter of 11 Dec 2019, "
                "matichonweekly.com; mazars.co.th)",
                "the ministry's notice number and date",
            ),
        ),
    ),
    2021: YearLaw(
        year=2021,
        reduction_percent="90",
        reduction_reference=_RD_2564_GENERAL,
        reduction_skips_special_percents=("90",),
        individual_agricultural_fully_exempt=True,
        due_dates=("06-30", "07-31", "08-31"),
        reminder_by="07-31",
        sources=(
            _ACT_RATES_2020,
            _SEC96,
            {
                "rule": "reduction",
                "title_th": _RD_2564_GENERAL + " ลดร้อยละ 90 ปีภาษี 2564",
                "title_en": "Royal Decree (No. 2) B.E. 2564: 90 % reduction for 2021",
                "section": "Act Sec. 55",
                "gazette": "2021-01-31",
                "in_force": "2021-02-01",
                "checked": "news report of the Gazette publication (thansettakij.com 31 Jan 2021); mazars.co.th",
                "verify": "how it stacks with the 90 % special reduction (taken as in 2023)",
            },
            _dates(
                "รัฐมนตรีว่าการกระทรวงมหาดไทยเห็นชอบขยายเวลาปี 2564 ออกไป 2 เดือน: ชำระภายในมิถุนายน ผ่อนชำระ มิ.ย./ก.ค./ส.ค. 2564",
                "Interior Minister's two-month extension for 2021: pay within June; installments Jun/Jul/Aug 2021",
                "Sec. 14",
                None,
                "LAO notice quoting the minister's approval (khaosamokhon.go.th 2021); DOMAIN.md (30 Jun 2021)",
                "the ministry's notice; the reminder month (July, two months after May, by the same move)",
            ),
        ),
    ),
    2022: YearLaw(
        year=2022,
        individual_agricultural_fully_exempt=True,
        due_dates=("07-31", "08-31", "09-30"),
        reminder_by="08-31",
        sources=(
            _RATES_DECREE_2564,
            _SEC96,
            _dates(
                "รัฐมนตรีว่าการกระทรวงมหาดไทยเห็นชอบขยายเวลาปี 2565 (23 มิ.ย. 2565): ชำระภายในกรกฎาคม ผ่อนชำระ ก.ค./ส.ค./ก.ย. แจ้งเตือนภายในสิงหาคม 2565",
                "Interior Minister's extension for 2022 (23 June 2022): pay within July; installments Jul/Aug/Sep; "
                "reminders within August 2022",
                "Sec. 14",
                None,
                "dailynews.co.th 1178030 (23 Jun 2022); Bangkok notice of 27 Apr 2022; bangkaewphet.go.th",
            ),
        ),
    ),
    2023: YearLaw(
        year=2023,
        reduction_percent="15",
        reduction_reference=_RD_2566_GENERAL,
        reduction_skips_special_percents=("90",),
        due_dates=("06-30", "07-31", "08-31"),
        reminder_by="07-31",
        sources=(
            _RATES_DECREE_2564,
            {
                "rule": "reduction",
                "title_th": _RD_2566_GENERAL
                + " ลดร้อยละ 15 ปีภาษี 2566 (ทรัพย์สินที่ลดร้อยละ 90 ตาม พ.ร.ฎ. 2563 ไม่ได้ลดเพิ่ม)",
                "title_en": "Royal Decree (No. 3) B.E. 2566: 15 % reduction for 2023 (not on property with the "
                "90 % special reduction; the 50 % property pays 42.5 %)",
                "section": "Act Sec. 55",
                "gazette": "2023-03-19",
                "in_force": "2023-03-20",
                "checked": "news reports of the Gazette of 19 Mar 2023 (bangkokbiznews.com, chiangmainews.co.th, "
                "nayang.go.th); DOMAIN.md for the stacking",
                "verify": "",
            },
            _dates(
                "กระทรวงมหาดไทยขยายเวลาปี 2566 ออกไป 2 เดือน: ชำระภายในมิถุนายน ผ่อนชำระ มิ.ย.-ส.ค. แจ้งเตือนภายในกรกฎาคม 2566",
                "Interior Ministry two-month extension for 2023: pay within June; installments Jun-Aug; "
                "reminders within July 2023",
                "Sec. 14",
                None,
                "LAO notices (wangnuea.go.th table of old and new dates; Chiang Rai municipality)",
            ),
        ),
    ),
    2024: YearLaw(
        year=2024,
        due_dates=("06-30", "07-31", "08-31"),
        reminder_by="07-31",
        sources=(
            _RATES_DECREE_2564,
            _dates(
                "ประกาศกระทรวงมหาดไทย ขยายกำหนดเวลาฯ ประจำปี 2567 (ลงวันที่ 8 พ.ย. 2566) ออกไป 2 เดือน: ชำระภายในมิถุนายน 2567",
                "Interior Ministry notice extending the 2024 dates by two months (dated 8 Nov 2023): pay within June 2024",
                "Sec. 14",
                "2023-11-30",
                "thansettakij.com and matichon.co.th reports of the Gazette of 30 Nov 2023",
                "installment and reminder months (taken as moved by the same two months)",
            ),
        ),
    ),
    2025: YearLaw(
        year=2025,
        due_dates=("06-30", "07-31", "08-31"),
        reminder_by="07-31",
        sources=(
            _RATES_DECREE_2564,
            _dates(
                "ประกาศกระทรวงมหาดไทย ขยายกำหนดเวลาฯ ประจำปี 2568 (อุทกภัย): ชำระภายในมิถุนายน ผ่อนชำระ มิ.ย./ก.ค./ส.ค. 2568",
                "Interior Ministry notice extending the 2025 dates (floods): pay within June; installments Jun/Jul/Aug 2025",
                "Sec. 14, 56",
                "2024-12-02",
                "thaipost.net report of the Gazette (2 Dec 2024); DOMAIN.md",
                "the notice's exact Gazette date",
            ),
        ),
    ),
    2026: YearLaw(
        year=2026,
        due_dates=("06-30", "07-31", "08-31"),
        reminder_by="07-31",
        sources=(
            _RATES_DECREE_2564,
            _dates(
                "ประกาศกระทรวงมหาดไทย ขยายกำหนดเวลาฯ ประจำปี 2569 ออกไป 2 เดือน (ลงวันที่ 28 พ.ย. 2568, หนังสือ มท 0808.3/ว 10869): "
                "ชำระภายในมิถุนายน ผ่อนชำระ มิ.ย.-ส.ค. 2569",
                "Interior Ministry notice extending the 2026 dates by two months (dated 28 Nov 2025, letter "
                "MT 0808.3/W 10869): pay within June; installments Jun-Aug 2026",
                "Sec. 14",
                None,
                "LAO notices quoting it (bangkaewphet.go.th, laobuaban.go.th); DOMAIN.md (disaster and border situation)",
                "the Gazette date",
            ),
        ),
    ),
}


def year_law(year: int) -> YearLaw:
    """The year's law: listed years as moved; later years with the Act's default dates."""
    found = YEAR_LAW.get(year)
    if found is not None:
        return found
    return YearLaw(
        year=year,
        sources=(
            _RATES_DECREE_2564,
            _dates(
                "กำหนดเวลาตามพระราชบัญญัติ: แจ้งประเมินภายในกุมภาพันธ์ ชำระภายในเมษายน ผ่อนชำระ เม.ย./พ.ค./มิ.ย. แจ้งเตือนภายในพฤษภาคม",
                "The Act's dates: notice within February, pay within April, installments Apr/May/Jun, "
                "reminders within May (no extension known for this year)",
                "Sec. 46, 52, 61",
                "2019-03-12",
                "LAO notices giving the original dates beside the moved ones (bangkaewphet.go.th, wangnuea.go.th)",
                "any extension the Interior Ministry announces for this year",
            ),
        ),
    )


def sources_for_year(year: int) -> list[dict[str, Any]]:
    """Every source behind the rules of ``year``: the common ones and the year's own."""
    return [
        *COMMON_SOURCES,
        SPECIAL_REDUCTIONS_SOURCE,
        TREASURY_DEPRECIATION_SOURCE,
        *year_law(year).sources,
    ]
