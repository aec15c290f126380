"""The tax quote request (schema ``pangmu.tax_quote/1``, docs/TAX_QUOTE.md): validated into the engine's
:class:`~taxes.engine.Taxpayer` and :class:`~taxes.engine.TaxYearRules`.

Every problem in a request is collected and reported together, each with the path of the field at
fault (``properties[0].land[1].price_per_sq_wah``), in a :class:`QuoteError`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from taxes.engine import (
    BuildingPortion,
    CondoPortion,
    CoOwner,
    LandPortion,
    Property,
    Taxpayer,
    TaxpayerKind,
    TaxYearRules,
    Use,
    parse_rai_ngan_wah,
    to_share,
)
from taxes.law import TREASURY_DEPRECIATION, depreciation_percent
from taxes.rules import RulesError, default_rules_dict, rules_from_dict

REQUEST_SCHEMA = "pangmu.tax_quote/1"
RESULT_SCHEMA = "pangmu.tax_quote.result/1"

_TOP_KEYS = {"schema", "description", "year", "rules", "taxpayer", "properties", "late_payment"}
_TAXPAYER_KEYS = {"kind", "id", "name"}
_PROPERTY_KEYS = {
    "ref",
    "description",
    "house_registration",
    "years_vacant",
    "ownership_share",
    "owners",
    "land",
    "buildings",
    "condo_units",
}
_OWNER_KEYS = {"ref", "name", "share", "kind", "house_registration", "taxpayer"}
_LAND_KEYS = {
    "ref",
    "area",
    "area_sq_wah",
    "price_per_sq_wah",
    "use",
    "uses",
    "ownership_share",
    "special_reduction",
}
_BUILDING_KEYS = {
    "ref",
    "floor_area_m2",
    "cost_per_m2",
    "depreciation_percent",
    "material",
    "age_years",
    "year_built",
    "use",
    "uses",
    "ownership_share",
    "special_reduction",
}
_CONDO_KEYS = {"ref", "area_m2", "price_per_m2", "use", "uses", "ownership_share", "special_reduction"}
_USES = ", ".join(u.value for u in Use)


class QuoteError(ValueError):
    """An invalid quote request: every problem found, each as (path, message)."""

    code = "tax_quote_invalid"

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = list(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        lines = [f"invalid tax quote request ({len(self.problems)} problem(s)):"]
        lines += [f"  - {path}: {message}" if path else f"  - {message}" for path, message in self.problems]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._text()


@dataclass(frozen=True)
class OwnerEntry:
    """One owner of a co-owned property as given in the request (for the owners' breakdown)."""

    ref: str
    name: str
    share: Fraction
    kind: TaxpayerKind | None
    house_registration: bool


@dataclass(frozen=True)
class QuoteRequest:
    """A valid request: the taxpayer, the year's rules and the owners of each co-owned property."""

    taxpayer: Taxpayer
    rules: TaxYearRules
    owners: dict[str, tuple[OwnerEntry, ...]]  # property ref -> its owners (when listed)


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []
        self.year: int | None = None
        self.special_codes: set[str] | None = None  # the rules' special reduction codes
        self.marked: set[str] = set()  # owners marked "taxpayer": true

    def add(self, path: str, message: str) -> None:
        self.items.append((path, message))

    def keys(self, data: Mapping[str, Any], allowed: set[str], path: str) -> None:
        for key in sorted(set(data) - allowed):
            self.add(
                f"{path}.{key}" if path else key, f"unknown field (allowed: {', '.join(sorted(allowed))})"
            )

    def decimal(
        self, data: Mapping[str, Any], key: str, path: str, *, default: str | None = None
    ) -> Decimal | None:
        """A non-negative number written as a string or an integer; None (and a problem) otherwise."""
        where = f"{path}.{key}"
        if key not in data or data[key] is None:
            if default is not None:
                return Decimal(default)
            self.add(where, "required")
            return None
        value = data[key]
        if isinstance(value, bool | float):
            self.add(where, f'write numbers as strings, e.g. "{value}" (got {value!r})')
            return None
        if not isinstance(value, str | int | Decimal):
            self.add(where, f"must be a number written as a string, got {type(value).__name__}")
            return None
        try:
            result = Decimal(value.strip().replace(",", "")) if isinstance(value, str) else Decimal(value)
        except InvalidOperation:
            self.add(where, f"not a number: {value!r}")
            return None
        if not result.is_finite():
            self.add(where, f"not a finite number: {value!r}")
            return None
        if result < 0:
            self.add(where, f"must not be negative, got {value}")
            return None
        return result

    def share(self, value: Any, where: str) -> Fraction | None:
        if isinstance(value, float):
            self.add(where, f'write shares as strings, e.g. "1/2" or "0.5" (got {value!r})')
            return None
        if isinstance(value, Decimal | int | str) and not isinstance(value, bool):
            try:
                return to_share(value)
            except (TypeError, ValueError) as exc:
                self.add(where, str(exc))
                return None
        self.add(where, f'must be a share like "1/2" or "0.5", got {value!r}')
        return None

    def uses(self, item: Mapping[str, Any], path: str) -> list[tuple[Use, Fraction]]:
        """``use`` (one use for the whole item) or ``uses`` (list of {use, share} adding up to 1)."""
        if ("use" in item) == ("uses" in item):
            self.add(path, f'give either "use" or "uses" (a list of {{"use", "share"}}); uses are: {_USES}')
            return []
        if "use" in item:
            use = self.use(item["use"], f"{path}.use")
            return [(use, Fraction(1))] if use else []
        raw = item["uses"]
        if not isinstance(raw, list) or not raw:
            self.add(f"{path}.uses", 'must be a non-empty list of {"use": ..., "share": ...}')
            return []
        out: list[tuple[Use, Fraction]] = []
        ok = True
        for i, entry in enumerate(raw):
            where = f"{path}.uses[{i}]"
            if not isinstance(entry, Mapping):
                self.add(where, 'must be an object {"use": ..., "share": ...}')
                ok = False
                continue
            self.keys(entry, {"use", "share"}, where)
            use = self.use(entry.get("use"), f"{where}.use")
            share = self.share(entry.get("share"), f"{where}.share") if "share" in entry else None
            if "share" not in entry:
                self.add(f"{where}.share", "required")
            if use is None or share is None:
                ok = False
                continue
            out.append((use, share))
        if ok:
            total = sum((s for _, s in out), Fraction(0))
            if total != 1:
                self.add(f"{path}.uses", f"the shares must add up to 1, they add up to {total}")
                return []
            if len({u for u, _ in out}) != len(out):
                self.add(f"{path}.uses", "each use may appear once")
                return []
        return out if ok else []

    def use(self, value: Any, where: str) -> Use | None:
        try:
            return Use(value)
        except ValueError:
            self.add(where, f"unknown use {value!r}; use one of: {_USES}")
            return None


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _parse_rules(data: Mapping[str, Any], problems: _Problems) -> TaxYearRules | None:
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int):
        problems.add("year", f"required: the tax year in CE as an integer, e.g. 2026 (got {year!r})")
        return None
    if year >= 2400:
        problems.add("year", f"give the year in CE, not BE: {year} BE is {year - 543} CE")
        return None
    try:
        base = default_rules_dict(year)
    except ValueError as exc:
        problems.add("year", str(exc))
        return None
    overrides = data.get("rules", {})
    if not isinstance(overrides, Mapping):
        problems.add("rules", "must be an object of rule overrides")
        return None
    if "year" in overrides:
        problems.add("rules.year", "set the year at the top level only")
        return None
    try:
        return rules_from_dict(_deep_merge(base, overrides))
    except RulesError as exc:
        for problem in exc.problems:
            where, _, message = problem.partition(": ")
            problems.add(where if where.startswith("rules") and message else "rules", message or problem)
        return None


def _special(item: Mapping[str, Any], path: str, p: _Problems) -> str:
    code = item.get("special_reduction", "")
    if code in ("", None):
        return ""
    if not isinstance(code, str) or (p.special_codes is not None and code not in p.special_codes):
        known = ", ".join(sorted(p.special_codes or ()))
        p.add(f"{path}.special_reduction", f"unknown special reduction {code!r}; the year's are: {known}")
        return ""
    return code


def _item_share(item: Mapping[str, Any], path: str, default_share: Fraction, p: _Problems) -> Fraction | None:
    if "ownership_share" not in item:
        return Fraction(1)
    if default_share != 1:
        p.add(
            f"{path}.ownership_share",
            "the property is co-owned (its ownership_share or owners): give the items whole",
        )
        return None
    return p.share(item["ownership_share"], f"{path}.ownership_share")


def _parse_land(
    item: Mapping[str, Any], path: str, index: int, default_share: Fraction, p: _Problems
) -> list[Any]:
    p.keys(item, _LAND_KEYS, path)
    ref = str(item.get("ref") or f"land{index + 1}")
    area: Decimal | None = None
    if ("area" in item) == ("area_sq_wah" in item):
        p.add(path, 'give the area either as "area" (rai-ngan-wah, e.g. "1-2-50") or as "area_sq_wah"')
    elif "area" in item:
        if not isinstance(item["area"], str):
            p.add(f"{path}.area", f'must be rai-ngan-wah text like "1-2-50", got {item["area"]!r}')
        else:
            try:
                area = parse_rai_ngan_wah(item["area"])
            except ValueError as exc:
                p.add(f"{path}.area", str(exc))
    else:
        area = p.decimal(item, "area_sq_wah", path)
    price = p.decimal(item, "price_per_sq_wah", path)
    share = _item_share(item, path, default_share, p)
    special = _special(item, path, p)
    uses = p.uses(item, path)
    if area is None or price is None or share is None or not uses:
        return []
    return [LandPortion(area, price, use, use_share, share, ref, special) for use, use_share in uses]


def _parse_condo(
    item: Mapping[str, Any], path: str, index: int, default_share: Fraction, p: _Problems
) -> list[Any]:
    p.keys(item, _CONDO_KEYS, path)
    ref = str(item.get("ref") or f"unit{index + 1}")
    area = p.decimal(item, "area_m2", path)
    price = p.decimal(item, "price_per_m2", path)
    share = _item_share(item, path, default_share, p)
    special = _special(item, path, p)
    uses = p.uses(item, path)
    if area is None or price is None or share is None or not uses:
        return []
    return [CondoPortion(area, price, use, use_share, share, ref, special) for use, use_share in uses]


def _depreciation(item: Mapping[str, Any], path: str, p: _Problems) -> Decimal | None:
    """``depreciation_percent``, or the Treasury table's percent for ``material`` and its age."""
    has_table = "material" in item or "age_years" in item or "year_built" in item
    if "depreciation_percent" in item and has_table:
        p.add(path, 'give either "depreciation_percent" or "material" with "age_years" / "year_built"')
        return None
    if not has_table:
        dep = p.decimal(item, "depreciation_percent", path, default="0")
        if dep is not None and dep > 100:
            p.add(f"{path}.depreciation_percent", f"must be 0-100, got {dep}")
            return None
        return dep
    material = item.get("material")
    if material not in TREASURY_DEPRECIATION:
        p.add(
            f"{path}.material",
            f"the Treasury table has {', '.join(TREASURY_DEPRECIATION)}; got {material!r} "
            "(for another material give depreciation_percent)",
        )
        return None
    if ("age_years" in item) == ("year_built" in item):
        p.add(path, 'give the building\'s age as "age_years" or "year_built" (CE), one of the two')
        return None
    if "age_years" in item:
        age = item["age_years"]
        if isinstance(age, bool) or not isinstance(age, int) or age < 0 or age > 1000:
            p.add(f"{path}.age_years", f"whole years, 0 or more, got {age!r}")
            return None
    else:
        built = item["year_built"]
        if isinstance(built, bool) or not isinstance(built, int) or built > 3000 or built < 1000:
            p.add(f"{path}.year_built", f"the year built in CE, e.g. 2016, got {built!r}")
            return None
        if built >= 2400:
            p.add(f"{path}.year_built", f"give the year in CE, not BE: {built} BE is {built - 543} CE")
            return None
        if p.year is not None and built > p.year:
            p.add(f"{path}.year_built", f"built after the tax year {p.year}: not yet on 1 January")
            return None
        age = (p.year or built) - built
    return depreciation_percent(material, age)


def _parse_building(
    item: Mapping[str, Any], path: str, index: int, default_share: Fraction, p: _Problems
) -> list[Any]:
    p.keys(item, _BUILDING_KEYS, path)
    ref = str(item.get("ref") or f"building{index + 1}")
    floor = p.decimal(item, "floor_area_m2", path)
    cost = p.decimal(item, "cost_per_m2", path)
    dep = _depreciation(item, path, p)
    share = _item_share(item, path, default_share, p)
    special = _special(item, path, p)
    uses = p.uses(item, path)
    if floor is None or cost is None or dep is None or share is None or not uses:
        return []
    return [BuildingPortion(floor, cost, use, dep, use_share, share, ref, special) for use, use_share in uses]


def _parse_owners(
    raw: Any, path: str, tp_id: str, p: _Problems
) -> tuple[tuple[OwnerEntry, ...], OwnerEntry | None]:
    """The owners of a co-owned property: their shares must add up to exactly 1; one is the taxpayer."""
    if not isinstance(raw, list) or len(raw) < 2:
        p.add(path, 'a list of at least two {"ref", "share", ...}: every owner, the taxpayer among them')
        return (), None
    owners: list[OwnerEntry] = []
    mine: list[OwnerEntry] = []
    ok = True
    for i, entry in enumerate(raw):
        where = f"{path}[{i}]"
        if not isinstance(entry, Mapping):
            p.add(where, 'must be an object {"ref", "share", "kind", "house_registration"}')
            ok = False
            continue
        p.keys(entry, _OWNER_KEYS, where)
        ref = entry.get("ref")
        if not isinstance(ref, str) or not ref.strip():
            p.add(f"{where}.ref", "required: the owner's reference (e.g. his ID number)")
            ok = False
        share = p.share(entry.get("share"), f"{where}.share") if "share" in entry else None
        if "share" not in entry:
            p.add(f"{where}.share", 'required, e.g. "1/2"')
        kind = entry.get("kind")
        if kind is not None and kind not in {k.value for k in TaxpayerKind}:
            p.add(f"{where}.kind", f"must be 'individual' or 'juristic', got {kind!r}")
            kind = None
        house = entry.get("house_registration", False)
        if not isinstance(house, bool):
            p.add(f"{where}.house_registration", f"must be true or false, got {house!r}")
            house = False
        flag = entry.get("taxpayer", False)
        if not isinstance(flag, bool):
            p.add(f"{where}.taxpayer", f"must be true or false, got {flag!r}")
            flag = False
        if share is None or not isinstance(ref, str) or not ref.strip():
            ok = False
            continue
        owner = OwnerEntry(
            ref, str(entry.get("name", "")), share, TaxpayerKind(kind) if kind else None, house
        )
        owners.append(owner)
        if flag:
            p.marked.add(ref)
            if tp_id and ref != tp_id:
                p.add(f"{where}.ref", f"the taxpayer's entry: use taxpayer.id ({tp_id!r}) as its ref")
        if flag or (tp_id and ref == tp_id):
            mine.append(owner)
    if not ok:
        return (), None
    total = sum((o.share for o in owners), Fraction(0))
    if total != 1:
        p.add(path, f"the owners' shares add up to {total}, not 1")
    refs = [o.ref for o in owners]
    for ref in sorted({r for r in refs if refs.count(r) > 1}):
        p.add(path, f"owner {ref!r} is listed more than once")
    if len(mine) != 1:
        p.add(
            path,
            'mark the taxpayer among the owners: an owner whose ref is taxpayer.id, or "taxpayer": true'
            if not mine
            else "only one owner can be the taxpayer",
        )
        return tuple(owners), None
    return tuple(owners), mine[0]


def _parse_property(
    raw: Any, path: str, tp_id: str, p: _Problems
) -> tuple[Property | None, tuple[OwnerEntry, ...]]:
    if not isinstance(raw, Mapping):
        p.add(path, "must be an object")
        return None, ()
    p.keys(raw, _PROPERTY_KEYS, path)
    ref = raw.get("ref")
    if not isinstance(ref, str) or not ref.strip():
        p.add(f"{path}.ref", "required: the property's reference (e.g. its LTAX parcel code)")
        ref = None
    house = raw.get("house_registration", False)
    if not isinstance(house, bool):
        p.add(f"{path}.house_registration", f"must be true or false, got {house!r}")
        house = False
    years = raw.get("years_vacant", 0)
    if isinstance(years, bool) or not isinstance(years, int) or years < 0:
        p.add(f"{path}.years_vacant", f"must be a whole number of years >= 0, got {years!r}")
    share = p.share(raw.get("ownership_share", "1"), f"{path}.ownership_share") or Fraction(1)
    owners: tuple[OwnerEntry, ...] = ()
    if "owners" in raw:
        owners, me = _parse_owners(raw["owners"], f"{path}.owners", tp_id, p)
        if me is not None:
            if "ownership_share" in raw and share != me.share:
                p.add(
                    f"{path}.ownership_share",
                    f"differs from the taxpayer's share among the owners ({me.share})",
                )
            share = me.share
            house = house or me.house_registration
    land: list[LandPortion] = []
    buildings: list[BuildingPortion] = []
    units: list[CondoPortion] = []
    for key, parser, out in (
        ("land", _parse_land, land),
        ("buildings", _parse_building, buildings),
        ("condo_units", _parse_condo, units),
    ):
        items = raw.get(key, [])
        if not isinstance(items, list):
            p.add(f"{path}.{key}", "must be a list")
            continue
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):
                p.add(f"{path}.{key}[{i}]", "must be an object")
                continue
            out.extend(parser(item, f"{path}.{key}[{i}]", i, share, p))
    if not raw.get("land") and not raw.get("buildings") and not raw.get("condo_units"):
        p.add(path, 'has neither "land" nor "buildings" nor "condo_units"')
    if ref is None:
        return None, owners
    try:
        prop = Property(
            ref=ref,
            land=tuple(land),
            buildings=tuple(buildings),
            condo_units=tuple(units),
            house_registration=house,
            years_vacant=years
            if isinstance(years, int) and not isinstance(years, bool) and years >= 0
            else 0,
            share=share,
            co_owners=tuple(CoOwner(o.ref, o.share, o.name) for o in owners),
        )
    except (TypeError, ValueError) as exc:
        p.add(path, str(exc))
        return None, owners
    return prop, owners


def parse_request(data: Mapping[str, Any]) -> QuoteRequest:
    """Validate a quote request (see docs/TAX_QUOTE.md) and build the engine's inputs.

    Raises :class:`QuoteError` listing every problem with the path of the field at fault.
    """
    if not isinstance(data, Mapping):
        raise QuoteError([("", "the request must be a JSON object")])
    p = _Problems()
    p.keys(data, _TOP_KEYS, "")
    schema = data.get("schema", REQUEST_SCHEMA)
    if schema != REQUEST_SCHEMA:
        p.add("schema", f"unsupported schema {schema!r}; this version reads {REQUEST_SCHEMA!r}")
    rules = _parse_rules(data, p)
    if rules is not None:
        p.year = rules.year
        p.special_codes = {s.code for s in rules.special_reductions}

    raw_tp = data.get("taxpayer")
    kind: TaxpayerKind | None = None
    tp_id = tp_name = ""
    if not isinstance(raw_tp, Mapping):
        p.add(
            "taxpayer", 'required: an object with "kind" (individual or juristic), optional "id" and "name"'
        )
    else:
        p.keys(raw_tp, _TAXPAYER_KEYS, "taxpayer")
        raw_kind = raw_tp.get("kind")
        if isinstance(raw_kind, str) and raw_kind in {k.value for k in TaxpayerKind}:
            kind = TaxpayerKind(raw_kind)
        else:
            p.add("taxpayer.kind", f"must be 'individual' or 'juristic', got {raw_kind!r}")
        tp_id, tp_name = str(raw_tp.get("id", "")), str(raw_tp.get("name", ""))

    raw_props = data.get("properties")
    props: list[Property] = []
    owners: dict[str, tuple[OwnerEntry, ...]] = {}
    if not isinstance(raw_props, list) or not raw_props:
        p.add("properties", "required: a non-empty list of properties")
    else:
        for i, raw in enumerate(raw_props):
            prop, prop_owners = _parse_property(raw, f"properties[{i}]", tp_id, p)
            if prop is not None:
                props.append(prop)
                if prop_owners:
                    owners[prop.ref] = prop_owners
        refs = [prop.ref for prop in props]
        for ref in sorted({r for r in refs if refs.count(r) > 1}):
            p.add("properties", f"property ref {ref!r} is used more than once")

    taxpayer = None
    if kind is not None and not p.items:
        if not tp_id:  # no taxpayer.id: the owner marked as the taxpayer gives it
            tp_id = next((o.ref for prop in props for o in owners.get(prop.ref, ()) if o.ref in p.marked), "")
        try:
            taxpayer = Taxpayer(kind=kind, properties=tuple(props), id=tp_id, name=tp_name)
        except (TypeError, ValueError) as exc:
            p.add("properties", str(exc))
    if p.items or taxpayer is None or rules is None:
        raise QuoteError(p.items or [("", "invalid request")])
    return QuoteRequest(taxpayer=taxpayer, rules=rules, owners=owners)


def parse_quote_request(data: Mapping[str, Any]) -> tuple[Taxpayer, TaxYearRules]:
    """Validate a quote request and build the engine's inputs: (taxpayer, rules)."""
    request = parse_request(data)
    return request.taxpayer, request.rules
