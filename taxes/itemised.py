"""The itemised assessment as stored on ``Assessment.detail``: compact codes and numbers, texts on display.

Residents are shown every step of their tax and the rule that produced it (ภ.ด.ส.7, the assessment
page, the API). The engine writes each valuation, line and note with a code, its numbers and a Thai
and an English text; the texts are pure functions of the code and a few arguments
(:func:`taxes.engine.render_text`), so the yearly run stores only the codes, the numbers and those
arguments (about 350 bytes a taxpayer instead of about 2.5 KB), and :func:`unpack` gives back the
exact dict of :func:`taxes.quote.assessment_to_dict` (plus ``register_notes``) when it is shown.

Stored form (``"f": 2``; every amount a string, so no float creeps in)::

    {"f": 2, "y": year, "t": taxpayer id, "k": "individual" | "juristic",
     "p": [property refs],               # referred to by index below
     "v": [valuation, ...], "g": [group, ...], "l": [line, ...], "n": [note, ...],
     "r": [register note, ...]}

- valuation ``["L", p, item_ref, use, schedule, full_value, use_share, ownership_share, value,
  area_sq_wah, price_per_sq_wah]`` (land) or ``["B", ..., floor_area_m2, cost_per_m2,
  depreciation_percent]`` (building); ``item_ref`` is null when it equals the property's ref.
- group ``[schedule, vacant steps, [p...], value, exemption, taxable, tax]``.
- line ``["r", schedule, bracket number, [p...], lower, size, rate, amount, exempt(, steps,
  base rate, escalation, cap)]`` (a bracket slice), ``["e", schedule, [p...], exempt, ceiling,
  reference]`` (an individual's exemption), ``["t", [p...], exempt]`` (transitional exemption),
  ``["d", [p...], gross, percent, reduction]`` (the year's reduction), or ``["x", {...}]`` (any
  other line, stored whole).
- note ``[code, p]`` (text by code) or ``["x", {...}]``; register note ``[code, parcel code,
  *arguments]`` with the text from :data:`REGISTER_NOTES` (a building's number, a zone, ...).

Rows written before this format (the whole dict with its texts, ``"schema"`` key) are shown as they
are. The texts of a stored line never depend on the year's rules as they are *now*: every number a
text shows is stored with the line, so an issued notice reads the same after the rules are edited.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .engine import (
    NIL,
    NOTE_TEXTS,
    Assessment,
    Schedule,
    Use,
    bracket_text,
    building_text,
    condo_text,
    exemption_text,
    land_text,
    reduction_text,
    round_money,
    transitional_text,
)
from .quote import RESULT_SCHEMA, _num, _share, line_to_dict

__all__ = ["FORMAT", "REGISTER_NOTES", "pack", "register_note", "render_register_note", "unpack"]

FORMAT = 2

_USE = {Use.AGRICULTURAL: "a", Use.RESIDENTIAL: "r", Use.OTHER: "o", Use.VACANT: "v"}
_USE_BACK = {v: k for k, v in _USE.items()}
_SCHEDULE = {
    Schedule.AGRICULTURAL: "a",
    Schedule.RESIDENTIAL_HOME_LAND_AND_BUILDING: "h",
    Schedule.RESIDENTIAL_HOME_BUILDING_ONLY: "hb",
    Schedule.RESIDENTIAL_OTHER: "r",
    Schedule.OTHER: "o",
    Schedule.VACANT: "v",
}
_SCHEDULE_BACK = {v: k for k, v in _SCHEDULE.items()}


# ---------------------------------------------------------------------------------------------------
# Notes of the yearly run about the register (why something was not taxed, which default applied)
# ---------------------------------------------------------------------------------------------------


def _no_land_price(code: str, zone: str, block: str) -> tuple[str, str]:
    return (
        f"ไม่มีราคาประเมินที่ดินของแปลง {code} (โซน {zone} บล็อก {block}) จึงยังไม่ได้คิดภาษีที่ดิน",
        f"No appraisal price for parcel {code} (zone {zone} block {block}): its land is not taxed",
    )


def _no_land_use(code: str) -> tuple[str, str]:
    return (
        f"ยังไม่ได้บันทึกการใช้ประโยชน์ของแปลง {code} จึงยังไม่ได้คิดภาษีที่ดิน",
        f"No land use recorded for parcel {code}: its land is not taxed",
    )


def _building_use_from_type(code: str, number: str, use: str) -> tuple[str, str]:
    ref = f"{code}/{number}"
    return (
        f"อาคาร {ref} ไม่ได้บันทึกการใช้ประโยชน์ ถือตามประเภทอาคารเป็น {use}",
        f"Building {ref} has no use recorded; its type gives {use}",
    )


def _building_not_valued(code: str, number: str, missing: str) -> tuple[str, str]:
    """``missing``: ``cost`` (no construction cost for its type) or ``use`` (no use recorded)."""
    ref = f"{code}/{number}"
    what_th = "ราคาค่าก่อสร้างของประเภทอาคารนี้" if missing == "cost" else "การใช้ประโยชน์ของอาคาร"
    what_en = "construction cost for its type" if missing == "cost" else "use recorded"
    return (f"อาคาร {ref} ยังไม่ได้คิดภาษี: ไม่มี{what_th}", f"Building {ref} is not taxed: no {what_en}")


def _building_age_unknown(code: str, number: str) -> tuple[str, str]:
    ref = f"{code}/{number}"
    return (
        f"ไม่ทราบปีที่สร้างอาคาร {ref} จึงไม่หักค่าเสื่อม",
        f"Year built of building {ref} unknown: no depreciation",
    )


#: Register notes: code -> the function of (the parcel's code, *arguments) giving (Thai, English).
REGISTER_NOTES: Mapping[str, Callable[..., tuple[str, str]]] = {
    "note.no_land_price": _no_land_price,
    "note.no_land_use": _no_land_use,
    "note.building_use_from_type": _building_use_from_type,
    "note.building_not_valued": _building_not_valued,
    "note.building_age_unknown": _building_age_unknown,
}


def register_note(code: str, property_ref: str, *args: str) -> list[str]:
    """A register note in its stored form; the code must be one of :data:`REGISTER_NOTES`."""
    REGISTER_NOTES[code](property_ref, *args)  # a wrong code or argument count fails here, not when shown
    return [code, property_ref, *args]


def render_register_note(stored: Sequence[Any] | Mapping[str, Any]) -> dict[str, str]:
    """``{"code", "property_ref", "text_th", "text_en"}`` of a stored register note."""
    if isinstance(stored, Mapping):  # written before the compact form
        return dict(stored)
    code, ref, *args = stored
    th, en = REGISTER_NOTES[code](ref, *args)
    return {"code": code, "property_ref": ref, "text_th": th, "text_en": en}


# ---------------------------------------------------------------------------------------------------
# Pack (the yearly run) and unpack (display)
# ---------------------------------------------------------------------------------------------------


def pack(assessment: Assessment, register_notes: Sequence[Sequence[str]] = ()) -> dict[str, Any]:
    """The stored form of an engine assessment (see the module docstring)."""
    refs: dict[str, int] = {}

    def ref(r: str) -> int:
        if r not in refs:
            refs[r] = len(refs)
        return refs[r]

    valuations = []
    for v in assessment.valuations:
        a = v.text_args
        row: list[Any] = [
            {"value.land": "L", "value.building": "B", "value.condo": "C"}[v.code],
            ref(v.property_ref),
            None if v.item_ref == v.property_ref else v.item_ref,
            _USE[v.use],
            _SCHEDULE[v.schedule],
            _num(v.full_value),
            _share(v.use_share),
            _share(v.ownership_share),
            _num(v.value),
        ]
        if v.code in ("value.land", "value.condo") and len(a) == 7:
            row += [_num(a[2]), _num(a[3])]
        elif v.code == "value.building" and len(a) == 8:
            row += [_num(a[2]), _num(a[3]), _num(a[4])]
        else:  # pragma: no cover - the engine writes only these
            raise ValueError(f"cannot store valuation {v.code!r} with arguments {a!r}")
        valuations.append(row)
    groups = [
        [
            _SCHEDULE[g.schedule],
            g.vacant_escalation_steps,
            [ref(r) for r in g.property_refs],
            _num(g.value),
            _num(g.exemption),
            _num(g.taxable),
            _num(g.tax),
            *([] if g.share == 1 else [_share(g.share)]),
        ]
        for g in assessment.groups
    ]
    lines: list[list[Any]] = []
    for line in assessment.lines:
        a = line.text_args
        prefs = [ref(r) for r in line.property_refs]
        parts = line.code.split(".")
        if parts[0] == "rate" and line.schedule is not None and len(a) in (6, 10):
            row = ["r", _SCHEDULE[line.schedule], int(parts[2]), prefs, _num(a[1]), _num(a[2])]
            row += [_num(a[3]), _num(a[4]), _num(a[5])]
            if len(a) == 10:
                row += [a[6], _num(a[7]), _num(a[8]), _num(a[9])]
            lines.append(row)
        elif line.code == "exemption.agricultural.transitional" and len(a) == 2:
            lines.append(["t", prefs, _num(a[1])])
        elif parts[0] == "exemption" and line.schedule is not None and len(a) == 4:
            lines.append(["e", _SCHEDULE[line.schedule], prefs, _num(a[3]), _num(a[1]), a[2]])
        elif line.code == "reduction.year" and len(a) == 5:
            lines.append(["d", prefs, _num(a[2]), _num(a[1]), _num(a[3]), a[4]])
        else:
            lines.append(["x", line_to_dict(line)])
    notes: list[list[Any]] = []
    for n in assessment.notes:
        if n.code in NOTE_TEXTS and NOTE_TEXTS[n.code] == (n.text_th, n.text_en):
            notes.append([n.code, ref(n.property_ref)])
        else:
            notes.append(
                [
                    "x",
                    {
                        "code": n.code,
                        "property_ref": n.property_ref,
                        "text_th": n.text_th,
                        "text_en": n.text_en,
                    },
                ]
            )
    return {
        "f": FORMAT,
        "y": assessment.year,
        "t": assessment.taxpayer_id,
        "k": assessment.taxpayer_kind.value,
        "p": list(refs),
        "v": valuations,
        "g": groups,
        "l": lines,
        "n": notes,
        "r": [list(n) for n in register_notes],
    }


def _texts(th_en: tuple[str, str]) -> dict[str, str]:
    return {"text_th": th_en[0], "text_en": th_en[1]}


def _share_of(text: str) -> Fraction:
    return Fraction(text)


def unpack(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """The itemised assessment as shown: the dict of ``assessment_to_dict`` plus ``register_notes``.

    A row stored before the compact form (it has its texts) is returned as it is.
    """
    if not stored:
        return {}
    if stored.get("f") != FORMAT:
        return dict(stored)
    D = Decimal
    refs: list[str] = stored["p"]
    year: int = stored["y"]
    valuations = []
    for row in stored["v"]:
        kind, p, item, use_c, sched_c, full, us, os_, value = row[:9]
        use, schedule = _USE_BACK[use_c], _SCHEDULE_BACK[sched_c]
        item_ref = refs[p] if item is None else item
        use_share, own = _share_of(us), _share_of(os_)
        if kind == "L":
            code = "value.land"
            texts = land_text(item_ref, use, D(row[9]), D(row[10]), use_share, own, D(value))
        elif kind == "C":
            code = "value.condo"
            texts = condo_text(item_ref, use, D(row[9]), D(row[10]), use_share, own, D(value))
        else:
            code = "value.building"
            texts = building_text(item_ref, use, D(row[9]), D(row[10]), D(row[11]), use_share, own, D(value))
        valuations.append(
            {
                "code": code,
                "property_ref": refs[p],
                "item_ref": item_ref,
                "use": use.value,
                "schedule": schedule.value,
                "full_value": full,
                "use_share": us,
                "ownership_share": os_,
                "value": value,
                **_texts(texts),
            }
        )
    groups = [
        {
            "schedule": _SCHEDULE_BACK[g[0]].value,
            "vacant_escalation_steps": g[1],
            "property_refs": [refs[i] for i in g[2]],
            "value": g[3],
            "exemption": g[4],
            "taxable": g[5],
            "tax": g[6],
            "share": g[7] if len(g) > 7 else "1",
        }
        for g in stored["g"]
    ]
    lines = []
    for row in stored["l"]:
        kind = row[0]
        if kind == "x":
            lines.append(dict(row[1]))
            continue
        if kind == "r":
            _, s, number, prefs, lower, size, rate, amount, exempt, *esc = row
            schedule = _SCHEDULE_BACK[s]
            code = f"rate.{schedule.value}.{number}"
            args: list[Any] = [schedule, D(lower), D(size), D(rate), D(amount), D(exempt)]
            if esc:
                code += f".escalated.{esc[0]}"
                args += [esc[0], D(esc[1]), D(esc[2]), D(esc[3])]
            line = {
                "code": code,
                "schedule": schedule.value,
                "base": size,
                "rate_percent": rate,
                "amount": amount,
                "texts": bracket_text(*args),
            }
        elif kind == "e":
            _, s, prefs, exempt, ceiling, reference = row
            schedule = _SCHEDULE_BACK[s]
            line = {
                "code": f"exemption.{schedule.value}",
                "schedule": schedule.value,
                "base": exempt,
                "rate_percent": "0",
                "amount": _num(NIL),
                "texts": exemption_text(schedule, D(ceiling), reference, D(exempt)),
            }
        elif kind == "t":
            _, prefs, exempt = row
            line = {
                "code": "exemption.agricultural.transitional",
                "schedule": Schedule.AGRICULTURAL.value,
                "base": exempt,
                "rate_percent": "0",
                "amount": _num(NIL),
                "texts": transitional_text(year, D(exempt)),
            }
        elif kind == "d":
            _, prefs, gross, pct, reduction, *reference = row
            line = {
                "code": "reduction.year",
                "schedule": None,
                "base": gross,
                "rate_percent": pct,
                "amount": reduction,
                "texts": reduction_text(year, D(pct), D(gross), D(reduction), *reference),
            }
        else:
            raise ValueError(f"unknown stored line kind {kind!r}")
        texts = line.pop("texts")
        lines.append(
            {
                "code": line["code"],
                "schedule": line["schedule"],
                "property_refs": [refs[i] for i in prefs],
                "base": line["base"],
                "rate_percent": line["rate_percent"],
                "amount": line["amount"],
                **_texts(texts),
            }
        )
    notes = []
    for row in stored["n"]:
        if row[0] == "x":
            notes.append(dict(row[1]))
        else:
            code, p = row
            notes.append({"code": code, "property_ref": refs[p], **_texts(NOTE_TEXTS[code])})
    value = sum((round_money(Fraction(g["value"]) * Fraction(g["share"])) for g in groups), NIL)
    exemption = sum((round_money(Fraction(g["exemption"]) * Fraction(g["share"])) for g in groups), NIL)
    total = sum((D(line["amount"]) for line in lines), NIL)
    return {
        "schema": RESULT_SCHEMA,
        "year": year,
        "year_be": year + 543,
        "taxpayer": {"id": stored["t"], "name": "", "kind": stored["k"]},
        "valuations": valuations,
        "groups": groups,
        "lines": lines,
        "notes": notes,
        "value": _num(value),
        "exemption": _num(exemption),
        "total": _num(total),
        "register_notes": [render_register_note(n) for n in stored.get("r", ())],
    }
