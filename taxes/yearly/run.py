"""The yearly run: read the register, build each taxpayer's input, run the engine, write the drafts."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gis_portal.errors import DomainError
from parcels.models import Organisation, Party

from .. import engine
from ..models import Assessment, TaxYear
from ..taxyears import tax_year_get, tax_year_rules
from .inputs import TaxpayerInput, build_inputs
from .register import read_register
from .writer import draft_row, write_drafts

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass
class AssessResult:
    taxpayers: int = 0
    drafts_written: int = 0  # the run's drafts: inserted + updated + unchanged
    drafts_deleted: int = 0  # drafts of taxpayers no longer assessed
    drafts_updated: int = 0  # drafts whose result changed (same row, new content)
    drafts_inserted: int = 0
    drafts_unchanged: int = 0
    skipped_issued: int = 0
    total: Decimal = Decimal("0.00")
    notes: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def _refuse(problems: list[str], what: str) -> None:
    raise DomainError(
        "assessment_input_invalid",
        f"{len(problems)} problem(s) in the register; {what}: " + "; ".join(problems[:20]),
        f"ข้อมูลทะเบียนมีปัญหา {len(problems)} รายการ จึงไม่ได้บันทึกผล: " + "; ".join(problems[:20]),
        problems=problems,
    )


def assess_year(
    *, organisation: Organisation, year: int, progress: Progress = _quiet, user: Any = None
) -> AssessResult:
    """Assess every taxpayer of the register for ``year``: drafts replaced, issued notices kept."""
    started = time.perf_counter()
    result = AssessResult()
    tax_year = tax_year_get(organisation, year)
    rules = tax_year_rules(tax_year)
    timings = result.timings

    def mark(name: str, t0: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - t0, 3)
        return now

    t = time.perf_counter()
    snap = read_register(tax_year)
    t = mark("read", t)
    progress(
        f"read the register: {len(snap.parcels)} parcels, {len(snap.buildings)} buildings, "
        f"{len(snap.parcel_rights) + len(snap.building_rights)} rights, {len(snap.parties)} parties "
        f"({timings['read']:.2f} s)"
    )
    inputs, problems, result.skipped_issued = build_inputs(snap, year, rules)
    t = mark("build", t)
    if problems:
        _refuse(problems, "nothing was assessed or written")

    rows: list[Assessment] = []
    now = timezone.now()
    for item in inputs:
        try:
            assessment = engine.assess(item.taxpayer, rules)
        except (TypeError, ValueError) as exc:
            problems.append(f"party {item.party_id}: {exc}")
            continue
        result.total += assessment.total
        result.notes += len(item.register_notes) + len(assessment.notes)
        rows.append(draft_row(tax_year, item, assessment, now))
    result.taxpayers = len(rows)
    t = mark("engine", t)
    progress(f"assessed {len(rows)} taxpayers in {timings['engine']:.2f} s; total tax {result.total:,.2f}")
    if problems:
        _refuse(problems, "nothing was written")

    counts = write_drafts(tax_year, rows, now, timings)
    result.drafts_deleted = counts["deleted"]
    result.drafts_updated = counts["updated"]
    result.drafts_inserted = counts["inserted"]
    result.drafts_unchanged = counts["unchanged"]
    result.skipped_issued += counts["skipped"]
    progress(
        f"wrote {len(rows)} drafts: {counts['inserted']} new, {counts['updated']} changed, "
        f"{counts['unchanged']} unchanged, {counts['deleted']} deleted ({timings['copy']:.2f} s COPY)"
    )
    result.drafts_written = counts["inserted"] + counts["updated"] + counts["unchanged"]
    mark("write", t)
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def assess_party(
    tax_year: TaxYear, party: Party
) -> tuple[TaxpayerInput, engine.Assessment, Assessment] | None:
    """One taxpayer's assessment from the register as it is now, with the year's own rules (unsaved).

    For a re-assessment (an accepted objection): his issued notice does not stop it. None when he
    holds nothing taxable any more.
    """
    rules = tax_year_rules(tax_year)
    snap = read_register(tax_year, party_id=party.pk)
    snap.issued_parties = set()
    inputs, problems, _ = build_inputs(snap, tax_year.year, rules)
    if problems:
        _refuse(problems, "the taxpayer was not re-assessed")
    mine = [item for item in inputs if item.party_id == party.pk]
    if not mine:
        return None
    item = mine[0]
    assessment = engine.assess(item.taxpayer, rules)
    return item, assessment, draft_row(tax_year, item, assessment, timezone.now())
