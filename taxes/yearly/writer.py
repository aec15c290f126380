"""Write a year's drafts: one transaction under the tax year's row lock, only what changed.

Existing drafts keep their row (and id) and are updated only when their result differs (the new
results are ``COPY``ed into a temporary table and merged); new taxpayers' drafts are ``COPY``ed into
the table; drafts of taxpayers no longer assessed are deleted. Issued and cancelled assessments are
never touched. Why this shape: docs/PERFORMANCE.md, "Tax assessment".
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from ..engine import Assessment as EngineAssessment
from ..itemised import pack
from ..models import Assessment, AssessmentStatus, TaxYear
from .inputs import TaxpayerInput

ZERO = Decimal("0.00")
CATEGORY_OF_SCHEDULE = {
    "agricultural": "agricultural",
    "residential_home_land_and_building": "residential",
    "residential_home_building_only": "residential",
    "residential_other": "residential",
    "other": "other",
    "vacant": "vacant",
}


def draft_row(tax_year: TaxYear, item: TaxpayerInput, result: EngineAssessment, now: Any) -> Assessment:
    """The draft of one taxpayer (unsaved): totals, the compact itemised result, category, parcels."""
    by_schedule: dict[str, Decimal] = defaultdict(Decimal)
    for v in result.valuations:
        by_schedule[CATEGORY_OF_SCHEDULE[v.schedule.value]] += v.value
    category = max(by_schedule.items(), key=lambda kv: (kv[1], kv[0]))[0] if by_schedule else ""
    return Assessment(
        organisation_id=tax_year.organisation_id,
        tax_year=tax_year,
        party_id=item.party_id,
        village_id=item.village_id,
        category=category,
        status=AssessmentStatus.DRAFT,
        value=result.value,
        exemption=result.exemption,
        total=result.total,
        # compact: codes, numbers and the arguments of each text (taxes.itemised renders the texts)
        detail=pack(result, item.register_notes),
        parcel_ids=item.parcel_ids,
        created_at=now,
    )


def write_drafts(
    tax_year: TaxYear, rows: Sequence[Assessment], now: Any, timings: dict[str, float]
) -> dict[str, int]:
    """Make the year's drafts those of ``rows`` in one transaction under the tax year's lock."""
    t_encode = time.perf_counter()
    encoded = [json.dumps(a.detail, ensure_ascii=False, separators=(",", ":")) for a in rows]
    timings["encode"] = round(time.perf_counter() - t_encode, 3)
    with transaction.atomic():
        TaxYear.objects.select_for_update().filter(pk=tax_year.pk).first()
        with connection.cursor() as cur:
            counts = _write_drafts(cur, tax_year, rows, encoded, now, timings)
        TaxYear.objects.filter(pk=tax_year.pk).update(last_assessed_at=now)
        t_commit = time.perf_counter()
    # the COMMIT (deferred foreign key checks of the new rows, WAL flush) is database time too
    timings["commit"] = round(time.perf_counter() - t_commit, 3)
    return counts


_COPY_COLUMNS = (
    "organisation_id",
    "tax_year_id",
    "party_id",
    "village_id",
    "category",
    "status",
    "value",
    "exemption",
    "total",
    "detail",
    "parcel_ids",
    "notice_number",
    "paid",
    "surcharge_paid",
    "surcharge_accrued",
    "penalty_paid",
    "penalty_accrued",
    "cancel_reason",
    "created_at",
)


def _write_drafts(
    cur: Any,
    tax_year: TaxYear,
    rows: Sequence[Assessment],
    details: Sequence[str],
    now: Any,
    timings: dict[str, float],
) -> dict[str, int]:
    """Make the year's drafts those of ``rows``, writing only what changed (under the tax year's lock).

    A taxpayer's draft keeps its row (and id) from run to run: it is updated when its result changed
    and left alone when not; a new taxpayer's draft is written with ``COPY``; the drafts of taxpayers
    no longer assessed are deleted. Deleting and re-inserting every draft instead costs the deleted
    rows' foreign key checks (installments, payments, objections, refunds point here) and the new rows'
    (organisation, tax year, party, village): about as much again as writing the rows
    (docs/PERFORMANCE.md). Which taxpayers already have a live assessment is read here, under the
    lock, so no statement depends on the planner's statistics being fresh (right after a first run
    they say the year has no drafts). Issued and cancelled assessments are never touched.
    ``details`` are the rows' ``detail`` already encoded as JSON text (the server parses it to jsonb).
    """
    cur.execute(
        "SELECT party_id, id, status FROM taxes_assessment WHERE tax_year_id = %s AND status <> %s",
        [tax_year.pk, AssessmentStatus.CANCELLED.value],
    )
    live = {party_id: (pk, status) for party_id, pk, status in cur.fetchall()}
    fresh: list[int] = []  # indexes into rows
    existing: list[tuple[int, int]] = []  # (index into rows, id of the draft)
    skipped = 0
    for i, a in enumerate(rows):
        found = live.pop(a.party_id, None)
        if found is None:
            fresh.append(i)
        elif found[1] == AssessmentStatus.DRAFT:
            existing.append((i, found[0]))
        else:  # issued since the run read the register (another run or an issue in between)
            skipped += 1
    gone = [pk for pk, status in live.values() if status == AssessmentStatus.DRAFT]

    # Drafts of taxpayers no longer assessed. Drafts never have installments, payments, objections
    # or refunds (they come with the issue); the statement checks it anyway.
    cur.execute(
        "DELETE FROM taxes_assessment a WHERE a.id = ANY(%(ids)s) AND a.status = %(draft)s"
        " AND NOT EXISTS (SELECT 1 FROM taxes_installment i WHERE i.assessment_id = a.id)"
        " AND NOT EXISTS (SELECT 1 FROM taxes_payment p WHERE p.assessment_id = a.id)"
        " AND NOT EXISTS (SELECT 1 FROM taxes_objection o WHERE o.assessment_id = a.id)"
        " AND NOT EXISTS (SELECT 1 FROM taxes_refund r WHERE r.assessment_id = a.id)",
        {"ids": gone, "draft": AssessmentStatus.DRAFT.value},
    )
    deleted = cur.rowcount

    # Existing drafts: the new results go to a temporary table (not WAL-logged, no constraints) and
    # only the drafts whose result differs are updated.
    cur.execute(
        # memory for the UPDATE's hash join of a whole year's drafts (no spill to disk), and a primary
        # key: whatever plan the statistics lead to, the join can probe an index
        "SET LOCAL work_mem = '64MB';"
        " CREATE TEMPORARY TABLE taxes_assess_new (id bigint PRIMARY KEY, village_id bigint,"
        " category varchar(40) NOT NULL, value numeric(14,2) NOT NULL, exemption numeric(14,2) NOT NULL,"
        " total numeric(14,2) NOT NULL, detail jsonb NOT NULL, parcel_ids bigint[] NOT NULL) ON COMMIT DROP"
    )
    sql = "COPY taxes_assess_new (id, village_id, category, value, exemption, total, detail, parcel_ids)"
    sql += " FROM STDIN"
    t_copy = time.perf_counter()
    with cur.cursor.copy(sql) as copy:
        for i, pk in existing:
            a = rows[i]
            copy.write_row(
                (pk, a.village_id, a.category, a.value, a.exemption, a.total, details[i], a.parcel_ids)
            )
    copy_seconds = time.perf_counter() - t_copy
    cur.execute(
        "UPDATE taxes_assessment a SET village_id = n.village_id, category = n.category, value = n.value,"
        " exemption = n.exemption, total = n.total, detail = n.detail, parcel_ids = n.parcel_ids,"
        " created_at = %(now)s"
        " FROM taxes_assess_new n WHERE a.id = n.id"
        " AND (a.village_id, a.category, a.value, a.exemption, a.total, a.detail, a.parcel_ids)"
        " IS DISTINCT FROM (n.village_id, n.category, n.value, n.exemption, n.total, n.detail, n.parcel_ids)",
        {"now": now},
    )
    updated = cur.rowcount
    # dropped now, not at COMMIT: the run may be part of a larger transaction (a test, a script)
    cur.execute("DROP TABLE taxes_assess_new")

    # New taxpayers' drafts straight into the table.
    t_copy = time.perf_counter()
    sql = f"COPY taxes_assessment ({', '.join(_COPY_COLUMNS)}) FROM STDIN"  # noqa: S608 - constant names
    with cur.cursor.copy(sql) as copy:
        for i in fresh:
            a = rows[i]
            copy.write_row(
                (
                    a.organisation_id,
                    a.tax_year_id,
                    a.party_id,
                    a.village_id,
                    a.category,
                    a.status,
                    a.value,
                    a.exemption,
                    a.total,
                    details[i],
                    a.parcel_ids,
                    "",
                    ZERO,
                    ZERO,
                    ZERO,
                    ZERO,
                    ZERO,
                    "",
                    now,
                )
            )
    timings["copy"] = round(copy_seconds + time.perf_counter() - t_copy, 3)
    return {
        "deleted": deleted,
        "updated": updated,
        "inserted": len(fresh),
        "unchanged": len(existing) - updated,
        "skipped": skipped,
    }
