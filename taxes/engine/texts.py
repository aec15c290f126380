"""The Thai and English texts of the itemised lines: pure functions of a code and a few arguments.

A stored line is shown again from its code and arguments (:func:`render_text`, taxes.itemised), so a
notice reads the same after the year's rules are edited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .money import ZERO, _fmt_money, _fmt_num
from .rules_model import SCHEDULE_NAMES, Schedule, Use


def _share_text(use_share: Fraction, ownership_share: Fraction) -> tuple[str, str]:
    th, en = "", ""
    if use_share != 1:
        th += f" × สัดส่วนการใช้ {_fmt_num(use_share)}"
        en += f" × use share {_fmt_num(use_share)}"
    if ownership_share != 1:
        th += f" × ส่วนกรรมสิทธิ์ {_fmt_num(ownership_share)}"
        en += f" × ownership share {_fmt_num(ownership_share)}"
    return th, en


# ---------------------------------------------------------------------------------------------------
# The texts of the itemised lines (pure functions of their arguments, so a stored line can be shown
# again from its code and arguments: see :func:`render_text` and taxes.itemised)
# ---------------------------------------------------------------------------------------------------

USE_NAMES_TH: Mapping[Use, str] = {
    Use.AGRICULTURAL: "เกษตรกรรม",
    Use.RESIDENTIAL: "ที่อยู่อาศัย",
    Use.OTHER: "อื่น ๆ",
    Use.VACANT: "ว่างเปล่า",
}

#: Notes whose text depends on nothing but their code.
NOTE_TEXTS: Mapping[str, tuple[str, str]] = {
    "note.house_registration_without_owned_house": (
        (
            "มีชื่อในทะเบียนบ้าน แต่ไม่มีสิ่งปลูกสร้างที่อยู่อาศัยของผู้เสียภาษีในทรัพย์สินนี้ "
            "จึงไม่ได้รับยกเว้นตามมาตรา 41/42 และคิดเป็นที่อยู่อาศัยอื่น"
        ),
        (
            "House registration is set but the taxpayer owns no residential building here, "
            "so no Sec. 41/42 exemption: taxed as residential, other."
        ),
    ),
}


def _area_text(
    what: tuple[str, str],
    unit: tuple[str, str],
    item_ref: str,
    use: Use,
    area: Decimal,
    price: Decimal,
    use_share: Fraction,
    ownership_share: Fraction,
    value: Decimal,
    extra: tuple[str, str] = ("", ""),
) -> tuple[str, str]:
    """(Thai, English) text of an area x price valuation: land, or a condominium unit."""
    sh_th, sh_en = _share_text(use_share, ownership_share)
    ref = (" " + item_ref) if item_ref else ""
    return (
        f"{what[0]}{ref} ({USE_NAMES_TH[use]}) {_fmt_num(area)} {unit[0]} × "
        f"{_fmt_money(price)} บาท/{unit[0]}{extra[0]}{sh_th} = {_fmt_money(value)} บาท",
        f"{what[1]}{ref} ({use.value}) {_fmt_num(area)} {unit[1]} × "
        f"{_fmt_money(price)} baht/{unit[1]}{extra[1]}{sh_en} = {_fmt_money(value)} baht",
    )


def land_text(
    item_ref: str,
    use: Use,
    area_sq_wah: Decimal,
    price_per_sq_wah: Decimal,
    use_share: Fraction,
    ownership_share: Fraction,
    value: Decimal,
) -> tuple[str, str]:
    """(Thai, English) text of a land valuation (code ``value.land``)."""
    return _area_text(
        ("ที่ดิน", "Land"), ("ตร.ว.", "sq wah"), item_ref, use, area_sq_wah, price_per_sq_wah, use_share,
        ownership_share, value,
    )  # fmt: skip


def building_text(
    item_ref: str,
    use: Use,
    floor_area_m2: Decimal,
    cost_per_m2: Decimal,
    depreciation_percent: Decimal,
    use_share: Fraction,
    ownership_share: Fraction,
    value: Decimal,
) -> tuple[str, str]:
    """(Thai, English) text of a building valuation (code ``value.building``)."""
    sh_th, sh_en = _share_text(use_share, ownership_share)
    ref = (" " + item_ref) if item_ref else ""
    dep = _fmt_num(depreciation_percent)
    return (
        f"สิ่งปลูกสร้าง{ref} ({USE_NAMES_TH[use]}) "
        f"{_fmt_num(floor_area_m2)} ตร.ม. × {_fmt_money(cost_per_m2)} บาท/ตร.ม. "
        f"หักค่าเสื่อมร้อยละ {dep}{sh_th} = {_fmt_money(value)} บาท",
        f"Building{ref} ({use.value}) "
        f"{_fmt_num(floor_area_m2)} m² × {_fmt_money(cost_per_m2)} baht/m² "
        f"less {dep} % depreciation{sh_en} = {_fmt_money(value)} baht",
    )


def condo_text(
    item_ref: str,
    use: Use,
    area_m2: Decimal,
    price_per_m2: Decimal,
    use_share: Fraction,
    ownership_share: Fraction,
    value: Decimal,
) -> tuple[str, str]:
    """(Thai, English) text of a condominium unit's valuation (code ``value.condo``)."""
    return _area_text(
        ("ห้องชุด", "Condominium unit"), ("ตร.ม.", "m²"), item_ref, use, area_m2, price_per_m2, use_share,
        ownership_share, value, (" (ไม่หักค่าเสื่อม)", " (no depreciation)"),
    )  # fmt: skip


def bracket_text(
    schedule: Schedule,
    lower: Decimal,
    size: Decimal,
    rate: Decimal,
    amount: Decimal,
    exempt: Decimal,
    steps: int = 0,
    base_rate: Decimal = ZERO,
    escalation_percent: Decimal = ZERO,
    cap_percent: Decimal = ZERO,
) -> tuple[str, str]:
    """(Thai, English) text of a bracket slice (code ``rate.<schedule>.<n>[.escalated.<steps>]``).

    ``base_rate``, ``escalation_percent`` and ``cap_percent`` are shown only for escalated vacant land.
    """
    name_th, name_en = SCHEDULE_NAMES[schedule]
    upper = lower + size
    value_range_th = value_range_en = ""
    if exempt > 0:
        value_range_th = f" (มูลค่า {_fmt_money(lower + exempt)}–{_fmt_money(upper + exempt)})"
        value_range_en = f" (value {_fmt_money(lower + exempt)}–{_fmt_money(upper + exempt)})"
    esc_th = esc_en = ""
    if schedule is Schedule.VACANT and steps > 0:
        esc_th = (
            f" (ร้อยละ {_fmt_num(base_rate)} บวกเพิ่ม {steps} ช่วง ช่วงละ "
            f"{_fmt_num(escalation_percent)} "
            f"ไม่เกิน {_fmt_num(cap_percent)})"
        )
        esc_en = (
            f" ({_fmt_num(base_rate)} % plus {steps} × "
            f"{_fmt_num(escalation_percent)} for unused years, capped at "
            f"{_fmt_num(cap_percent)} %)"
        )
    return (
        f"{name_th}: ฐานภาษีส่วน {_fmt_money(lower)}–{_fmt_money(upper)}{value_range_th} "
        f"= {_fmt_money(size)} บาท × ร้อยละ {_fmt_num(rate)}{esc_th} "
        f"= {_fmt_money(amount)} บาท",
        f"{name_en}: taxable slice {_fmt_money(lower)}–{_fmt_money(upper)}{value_range_en} "
        f"= {_fmt_money(size)} baht × {_fmt_num(rate)} %{esc_en} = {_fmt_money(amount)} baht",
    )


def exemption_text(schedule: Schedule, ceiling: Decimal, reference: str, exempt: Decimal) -> tuple[str, str]:
    """(Thai, English) text of an individual's exemption (code ``exemption.<schedule>``)."""
    name_th, name_en = SCHEDULE_NAMES[schedule]
    ref_en = ref_th = ""
    if reference:
        ref_en = f" ({reference})"
        ref_th = f" ({reference.replace('Sec.', 'มาตรา')})"
    return (
        f"ยกเว้นมูลค่าฐานภาษี {name_th} ไม่เกิน {_fmt_money(ceiling)} บาท{ref_th}: ยกเว้น {_fmt_money(exempt)} บาท",
        f"Exemption for an individual, {name_en}, up to {_fmt_money(ceiling)} baht{ref_en}: "
        f"{_fmt_money(exempt)} baht exempt",
    )


def transitional_text(year: int, exempt: Decimal) -> tuple[str, str]:
    """(Thai, English) text of code ``exemption.agricultural.transitional``."""
    return (
        f"ยกเว้นที่ดินเกษตรกรรมของบุคคลธรรมดาทั้งจำนวนในปี พ.ศ. {year + 543} (บทเฉพาะกาล) {_fmt_money(exempt)} บาท",
        f"Individual's agricultural property fully exempt in {year} "
        f"(transitional provision): {_fmt_money(exempt)} baht",
    )


def reduction_text(
    year: int, reduction_percent: Decimal, gross: Decimal, reduction: Decimal, reference: str = ""
) -> tuple[str, str]:
    """(Thai, English) text of code ``reduction.year`` (``reduction`` is the negative amount)."""
    pct = _fmt_num(reduction_percent)
    ref_th = reference or "พระราชกฤษฎีกา"
    ref_en = reference or "royal decree"
    return (
        f"ลดภาษีปี พ.ศ. {year + 543} ร้อยละ {pct} ของ {_fmt_money(gross)} บาท ({ref_th}) "
        f"= {_fmt_money(-reduction)} บาท",
        f"Tax reduction for {year}: {pct} % of {_fmt_money(gross)} baht ({ref_en}) "
        f"= {_fmt_money(-reduction)} baht",
    )


def special_reduction_text(
    code: str,
    name_th: str,
    name_en: str,
    reference: str,
    percent: Decimal,
    attributed: Decimal,
    reduction: Decimal,
) -> tuple[str, str]:
    """(Thai, English) text of code ``reduction.special.<code>`` (``reduction`` is negative)."""
    pct = _fmt_num(percent)
    ref = f" ({reference})" if reference else ""
    return (
        f"ลดภาษีทรัพย์สินบางประเภท: {name_th or code}{ref} ร้อยละ {pct} ของภาษีส่วนของทรัพย์สินนี้ "
        f"{_fmt_money(attributed)} บาท = {_fmt_money(-reduction)} บาท",
        f"Reduction for listed property: {name_en or code}{ref}: {pct} % of this property's tax "
        f"{_fmt_money(attributed)} baht = {_fmt_money(-reduction)} baht",
    )


def co_owned_share_text(share: Fraction, whole: Decimal, part: Decimal) -> tuple[str, str]:
    """(Thai, English) text of code ``share.co_owned``: the taxpayer's share of a co-owned property's tax."""
    return (
        f"กรรมสิทธิ์รวม: ภาษีของทรัพย์สินทั้งแปลง {_fmt_money(whole)} บาท (ยกเว้นครั้งเดียวทั้งแปลง ฎีกา 3227/2568) "
        f"ส่วนของผู้เสียภาษี {_fmt_num(share)} = {_fmt_money(part)} บาท "
        f"(หักส่วนของเจ้าของร่วมอื่น {_fmt_money(whole - part)} บาท)",
        f"Co-owned property: tax of the whole property {_fmt_money(whole)} baht (one exemption for the "
        f"whole, Supreme Court 3227/2568); the taxpayer's share {_fmt_num(share)} = {_fmt_money(part)} baht "
        f"(the other owners' part {_fmt_money(whole - part)} baht taken off)",
    )


def render_text(code: str, args: Sequence[Any]) -> tuple[str, str]:
    """The (Thai, English) text of a valuation, line or note from its code and ``text_args``."""
    if code in NOTE_TEXTS:
        return NOTE_TEXTS[code]
    if code == "value.land":
        return land_text(*args)
    if code == "value.building":
        return building_text(*args)
    if code == "value.condo":
        return condo_text(*args)
    if code.startswith("reduction.special."):
        return special_reduction_text(*args)
    if code == "share.co_owned":
        return co_owned_share_text(*args)
    if code.startswith("rate."):
        return bracket_text(*args)
    if code == "exemption.agricultural.transitional":
        return transitional_text(*args)
    if code.startswith("exemption."):
        return exemption_text(*args)
    if code == "reduction.year":
        return reduction_text(*args)
    raise KeyError(f"no text for code {code!r}")
