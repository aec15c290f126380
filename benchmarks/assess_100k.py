# ruff: noqa: E501  (long lines of generating SQL)
"""Benchmark of the yearly assessment: ``assess`` over 100,000 generated parcels.

    .venv/bin/python benchmarks/assess_100k.py [--parcels 100000] [--keep]

Generates a throw-away organisation (slug ``bench-tax``) with set-based SQL: N parcels (20 m
squares on a grid), their land uses (residential, agricultural, other, vacant, some mixed), about
0.7 N taxpayers (10 % juristic, 4 % of parcels co-owned half and half), a building on every second
parcel with its owner's right, and house registration for a quarter of the houses; appraisal
tables for the year. Then runs :func:`taxes.services.assess_year` three times: the first run, a
re-run after the appraisal tables went up 1 % (every draft changes and is rewritten: the worst case
of a re-run) and a re-run with nothing changed, timing the database (the sum of every query's time,
measured with ``connection.execute_wrapper``, plus the COPY and the COMMIT, which that wrapper does
not see) apart from the whole. Everything is deleted afterwards unless
``--keep``. Figures go to docs/PERFORMANCE.md ("Tax assessment").
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from taxes.demo import seed_tax_demo  # noqa: E402
from taxes.services import assess_year  # noqa: E402

SLUG = "bench-tax"


class QueryTimer:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0
        self.slowest: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):  # noqa: ANN001, ANN204
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - t
            self.seconds += took
            self.count += 1
            self.slowest = sorted([*self.slowest, (took, sql[:100])], reverse=True)[:3]


def cleanup() -> None:
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT id FROM parcels_organisation WHERE slug = %s", [SLUG])
        row = cur.fetchone()
        if not row:
            return
        org = row[0]
        for sql in (
            "DELETE FROM taxes_installment WHERE assessment_id IN "
            "(SELECT id FROM taxes_assessment WHERE organisation_id = %(o)s)",
            "DELETE FROM taxes_assessment WHERE organisation_id = %(o)s",
            "DELETE FROM taxes_landprice WHERE tax_year_id IN (SELECT id FROM taxes_taxyear WHERE organisation_id = %(o)s)",
            "DELETE FROM taxes_buildingcost WHERE tax_year_id IN "
            "(SELECT id FROM taxes_taxyear WHERE organisation_id = %(o)s)",
            "DELETE FROM taxes_depreciation WHERE tax_year_id IN "
            "(SELECT id FROM taxes_taxyear WHERE organisation_id = %(o)s)",
            "DELETE FROM taxes_taxyear WHERE organisation_id = %(o)s",
            "DELETE FROM taxes_taxoffice WHERE organisation_id = %(o)s",
            "DELETE FROM parcels_buildingright WHERE party_id IN (SELECT id FROM parcels_party WHERE organisation_id = %(o)s)",
            "DELETE FROM parcels_parcelright WHERE party_id IN (SELECT id FROM parcels_party WHERE organisation_id = %(o)s)",
            "UPDATE parcels_party SET household_id = NULL WHERE organisation_id = %(o)s",
            "DELETE FROM parcels_household WHERE organisation_id = %(o)s",
            "DELETE FROM parcels_party WHERE organisation_id = %(o)s",
            "DELETE FROM parcels_buildinguseportion WHERE building_id IN "
            "(SELECT id FROM parcels_building WHERE organisation_id = %(o)s)",
            "DELETE FROM parcels_building WHERE organisation_id = %(o)s",
            "DELETE FROM parcels_landuseportion WHERE parcel_id IN (SELECT id FROM parcels_parcel WHERE organisation_id = %(o)s)",
            "DELETE FROM parcels_parcel WHERE organisation_id = %(o)s",
            "DELETE FROM parcels_village WHERE organisation_id = %(o)s",
            "DELETE FROM parcels_organisation WHERE id = %(o)s",
        ):
            cur.execute(sql, {"o": org})


def generate(n: int) -> int:
    parties = int(n * 0.7)
    side = 400  # parcels per grid row
    d = 0.0002  # about 21 m
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO parcels_organisation (slug, dla_code, name_th, name_en, tambon_code, address, phone, tax_id,
                boundary, utm_srid, created_at)
            VALUES (%(slug)s, 'BENCH-TAX', 'อปท. ทดสอบความเร็ว', 'benchmark', '', '', '', '0994000000019',
                ST_Multi(ST_MakeEnvelope(97.99, 18.99, 98.2, 19.3, 4326)), 32647, now())
            RETURNING id
            """,
            {"slug": SLUG},
        )
        org = cur.fetchone()[0]
        cur.execute(
            """
            INSERT INTO parcels_village (organisation_id, number, name_th, name_en, boundary)
            VALUES (%(o)s, 1, 'หมู่ทดสอบ', 'bench', ST_Multi(ST_MakeEnvelope(97.99, 18.99, 98.2, 19.3, 4326)))
            RETURNING id
            """,
            {"o": org},
        )
        village = cur.fetchone()[0]
        p = {"o": org, "v": village, "n": n, "side": side, "d": d, "parties": parties}
        cur.execute(
            """
            INSERT INTO parcels_parcel (organisation_id, village_id, code, zone, block, lot, doc_type, doc_number,
                declared_rai, declared_ngan, declared_wah, geom, status, version, created_at, updated_at)
            SELECT %(o)s, %(v)s,
                lpad((1 + i / 26000)::text, 2, '0') || chr(65 + (i / 1000) %% 26) || lpad((i %% 1000)::text, 3, '0'),
                lpad((1 + i / 26000)::text, 2, '0'), chr(65 + (i / 1000) %% 26), lpad((i %% 1000)::text, 3, '0'),
                'chanote', i::text, i %% 5, i %% 4, (i %% 100)::numeric,
                ST_Multi(ST_MakeEnvelope(98.0 + (i %% %(side)s) * %(d)s, 19.0 + (i / %(side)s) * %(d)s,
                    98.0 + (i %% %(side)s) * %(d)s + %(d)s * 0.95, 19.0 + (i / %(side)s) * %(d)s + %(d)s * 0.95, 4326)),
                'active', 1, now(), now()
            FROM generate_series(0, %(n)s - 1) i
            """,
            p,
        )
        cur.execute(
            """
            INSERT INTO parcels_landuseportion (parcel_id, category, share_percent, years_unused)
            SELECT t.id, u.category, u.share, u.unused
            FROM parcels_parcel t
            CROSS JOIN LATERAL (SELECT t.doc_number::int AS i) k
            CROSS JOIN LATERAL (
                SELECT * FROM (VALUES
                    (CASE WHEN k.i %% 10 < 5 THEN 'residential' WHEN k.i %% 10 < 8 THEN 'agricultural'
                          WHEN k.i %% 10 = 8 THEN 'other' ELSE 'vacant' END,
                     CASE WHEN k.i %% 20 = 0 THEN 60 ELSE 100 END,
                     CASE WHEN k.i %% 10 = 9 THEN k.i %% 8 ELSE 0 END),
                    (CASE WHEN k.i %% 20 = 0 THEN 'other' END, 40, 0)
                ) v(category, share, unused) WHERE v.category IS NOT NULL
            ) u
            WHERE t.organisation_id = %(o)s
            """,
            p,
        )
        cur.execute(
            """
            INSERT INTO parcels_party (organisation_id, kind, national_id, title, first_name, last_name,
                juristic_name, phone, is_household_head, created_at, updated_at)
            SELECT %(o)s, CASE WHEN j %% 10 = 0 THEN 'juristic' ELSE 'person' END, '', '',
                CASE WHEN j %% 10 = 0 THEN '' ELSE 'ผู้เสียภาษี' END, j::text,
                CASE WHEN j %% 10 = 0 THEN 'บริษัท ' || j ELSE '' END, j::text, false, now(), now()
            FROM generate_series(0, %(parties)s - 1) j
            """,
            p,
        )
        # Numbered lookups (parcel i, party j) with statistics, so the joins below are hash joins.
        cur.execute("ANALYZE parcels_parcel, parcels_party, parcels_landuseportion")
        cur.execute(
            "CREATE TEMP TABLE bench_parcel ON COMMIT DROP AS"
            " SELECT doc_number::int AS i, id FROM parcels_parcel WHERE organisation_id = %(o)s",
            p,
        )
        cur.execute(
            "CREATE TEMP TABLE bench_party ON COMMIT DROP AS"
            " SELECT phone::int AS j, id FROM parcels_party WHERE organisation_id = %(o)s",
            p,
        )
        cur.execute("CREATE UNIQUE INDEX ON bench_parcel (i); CREATE UNIQUE INDEX ON bench_party (j)")
        cur.execute("ANALYZE bench_parcel, bench_party")
        cur.execute(
            """
            INSERT INTO parcels_parcelright (parcel_id, party_id, right_type, share_numerator, share_denominator,
                created_at)
            SELECT t.id, pa.id, 'ownership', 1, CASE WHEN t.i %% 25 = 0 THEN 2 ELSE 1 END, now()
            FROM bench_parcel t JOIN bench_party pa ON pa.j = t.i %% %(parties)s
            UNION ALL
            SELECT t.id, pa.id, 'ownership', 1, 2, now()
            FROM bench_parcel t JOIN bench_party pa ON pa.j = (t.i + 1) %% %(parties)s
            WHERE t.i %% 25 = 0
            """,
            p,
        )
        cur.execute("ANALYZE parcels_parcelright")
        cur.execute(
            """
            INSERT INTO parcels_building (organisation_id, parcel_id, number, footprint, building_type, material,
                storeys, floor_area_m2, year_built, status, version, created_at, updated_at)
            SELECT %(o)s, t.id, 1, ST_Multi(ST_Expand(ST_Centroid(t.geom), 0.00003)),
                CASE WHEN k.i %% 10 < 5 THEN 'house' WHEN k.i %% 10 < 8 THEN 'barn' ELSE 'shophouse' END,
                (ARRAY['concrete', 'mixed', 'wood', 'steel'])[1 + k.i %% 4], 1 + k.i %% 2,
                (80 + k.i %% 120)::numeric, 1990 + k.i %% 35, 'active', 1, now(), now()
            FROM parcels_parcel t CROSS JOIN LATERAL (SELECT t.doc_number::int AS i) k
            WHERE t.organisation_id = %(o)s AND k.i %% 2 = 0 AND k.i %% 10 <> 9
            """,
            p,
        )
        cur.execute(
            """
            INSERT INTO parcels_buildingright (building_id, party_id, right_type, share_numerator, share_denominator,
                created_at)
            SELECT b.id, r.party_id, 'ownership', r.share_numerator, r.share_denominator, now()
            FROM parcels_building b JOIN parcels_parcelright r ON r.parcel_id = b.parcel_id
            WHERE b.organisation_id = %(o)s
            """,
            p,
        )
        cur.execute("ANALYZE parcels_building, parcels_buildingright")
        cur.execute(
            """
            INSERT INTO parcels_household (organisation_id, village_id, building_id, house_number, location, status,
                version, created_at, updated_at)
            SELECT %(o)s, %(v)s, b.id, t.i::text, ST_Centroid(b.footprint), 'active', 1, now(), now()
            FROM parcels_building b JOIN bench_parcel t ON t.id = b.parcel_id
            WHERE b.organisation_id = %(o)s AND b.building_type = 'house' AND t.i %% 4 = 0
            """,
            p,
        )
        cur.execute(
            """
            UPDATE parcels_party pa SET household_id = h.id
            FROM parcels_household h JOIN parcels_building b ON b.id = h.building_id
            JOIN parcels_parcelright r ON r.parcel_id = b.parcel_id
            WHERE h.organisation_id = %(o)s AND pa.id = r.party_id AND pa.kind = 'person'
              AND pa.household_id IS NULL
            """,
            p,
        )
        print(f"  generated in {time.perf_counter() - t0:.1f} s")
        cur.execute(
            "ANALYZE parcels_parcel, parcels_parcelright, parcels_building, parcels_buildingright, parcels_party"
        )
    return org


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parcels", type=int, default=100_000)
    ap.add_argument("--keep", action="store_true", help="keep the generated register (for --reuse)")
    ap.add_argument("--reuse", action="store_true", help="re-use a register kept by an earlier --keep")
    args = ap.parse_args()
    from parcels.models import Organisation

    org = Organisation.objects.filter(slug=SLUG).first()
    if args.reuse and org is not None:
        print("re-using the generated register")
    else:
        cleanup()
        t = time.perf_counter()
        generate(args.parcels)
        print(f"generated {args.parcels} parcels in {time.perf_counter() - t:.1f} s")
        org = Organisation.objects.get(slug=SLUG)
    ty = seed_tax_demo(organisation=org, year=2026, set_tax_id=False)
    try:
        for label in ("first run", "re-run, every draft changed", "re-run, nothing changed"):
            if label.startswith("re-run, every"):
                # new appraisal tables (+1 %): every taxpayer's value changes, so every draft is rewritten
                with transaction.atomic(), connection.cursor() as cur:
                    cur.execute(
                        "UPDATE taxes_landprice SET price_per_sq_wah = round(price_per_sq_wah * 1.01, 2)"
                        " WHERE tax_year_id = %s",
                        [ty.pk],
                    )
                    cur.execute(
                        "UPDATE taxes_buildingcost SET cost_per_m2 = round(cost_per_m2 * 1.01, 2)"
                        " WHERE tax_year_id = %s",
                        [ty.pk],
                    )
            timer = QueryTimer()
            t = time.perf_counter()
            with connection.execute_wrapper(timer):
                result = assess_year(organisation=org, year=2026)
            total = time.perf_counter() - t
            copy = result.timings.get("copy", 0.0)
            commit = result.timings.get("commit", 0.0)
            print(
                f"{label}: {result.drafts_written} taxpayers ({result.drafts_inserted} new, "
                f"{result.drafts_updated} changed, {result.drafts_unchanged} unchanged, "
                f"{result.drafts_deleted} deleted), total {total:.2f} s, "
                f"database {timer.seconds + copy + commit:.2f} s ({timer.seconds:.2f} s in {timer.count} queries "
                f"+ COPY {copy:.2f} s + COMMIT {commit:.2f} s; JSON encoding in Python "
                f"{result.timings.get('encode', 0.0):.2f} s not counted), "
                f"phases {result.timings}, tax {result.total:,.2f}"
            )
            for took, sql in timer.slowest:
                print(f"    {took:.2f} s  {sql}")
        check_sample(org)
        print(f"machine: {platform.machine()} {os.cpu_count()} cores, {platform.python_version()}")
    finally:
        if not args.keep:
            cleanup()
            print("cleaned up")


def check_sample(org, n: int = 500) -> None:  # noqa: ANN001
    """Every stored draft of a sample renders its lines (texts, rule codes) and adds up to its total."""
    from decimal import Decimal

    from taxes.models import Assessment

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), avg(pg_column_size(detail))::int, avg(octet_length(detail::text))::int,"
            " count(*) FILTER (WHERE pg_column_size(detail) > 2000), pg_size_pretty(pg_table_size('taxes_assessment'))"
            " FROM taxes_assessment WHERE organisation_id = %s",
            [org.pk],
        )
        rows, stored, text, big, table = cur.fetchone()
    print(
        f"stored detail: {rows} rows, {stored} bytes each on average ({text} bytes as JSON text), {big} above 2000 bytes; table {table}"
    )
    sample = Assessment.objects.filter(organisation=org).order_by("?")[:n]
    for a in sample:
        shown = a.itemised
        assert shown["lines"] or a.total == 0, a.pk
        assert all(line["code"] and line["text_th"] and line["text_en"] for line in shown["lines"]), a.pk
        assert sum((Decimal(line["amount"]) for line in shown["lines"]), Decimal("0.00")) == a.total, a.pk
    print(f"checked {len(sample)} drafts: every line rendered with its rule code, lines add up to the total")


if __name__ == "__main__":
    main()
