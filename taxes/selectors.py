"""Reads of the tax office, scoped to the user's organisations; each list is a fixed number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from gis_portal.errors import NotFoundError
from parcels.models import Household, Organisation, Parcel, Party
from parcels.selectors import organisation_ids_for_user

from .collection import due_on, reminder_for
from .models import (
    Assessment,
    AssessmentStatus,
    Installment,
    Payment,
    Ref2Policy,
    Reminder,
    TaxOffice,
    TaxYear,
)
from .promptpay import build_bill_payment_payload, make_biller_id
from .taxyears import tax_year_rules

MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0.00")

# Payment status of an assessment (also the colours of the tax-status map layer).
STATUSES = ("not_assessed", "draft", "issued_unpaid", "partly_paid", "paid", "overdue")
STATUS_LABELS = {
    "not_assessed": "ยังไม่ประเมิน / not assessed",
    "draft": "ร่าง / draft",
    "issued_unpaid": "แจ้งแล้ว ยังไม่ชำระ / issued, unpaid",
    "partly_paid": "ชำระบางส่วน / partly paid",
    "paid": "ชำระครบ / paid",
    "overdue": "ค้างชำระเกินกำหนด / overdue",
}


def with_pay_status(qs: QuerySet[Assessment], today: date | None = None) -> QuerySet[Assessment]:
    """Annotate ``due_by_today`` (installments due before today) and ``pay_status``."""
    today = today or timezone.localdate()
    due = (
        Installment.objects.filter(assessment=OuterRef("pk"), due_date__lt=today)
        .order_by()
        .values("assessment")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return qs.annotate(due_by_today=Coalesce(Subquery(due, output_field=MONEY_FIELD), Value(ZERO))).annotate(
        pay_status=Case(
            When(status=AssessmentStatus.DRAFT, then=Value("draft")),
            When(paid__gte=F("total"), then=Value("paid")),
            When(paid__lt=F("due_by_today"), then=Value("overdue")),
            When(paid__gt=0, then=Value("partly_paid")),
            default=Value("issued_unpaid"),
            output_field=CharField(),
        )
    )


def tax_years_for_user(user: Any) -> QuerySet[TaxYear]:
    ids = organisation_ids_for_user(user)
    qs = TaxYear.objects.select_related("organisation").order_by("organisation__slug", "-year")
    return qs if ids is None else qs.filter(organisation_id__in=ids)


def tax_year_for_user(user: Any, slug: str, year: int) -> TaxYear:
    ty = tax_years_for_user(user).filter(organisation__slug=slug, year=year).first()
    if ty is None:
        raise NotFoundError("tax_year_not_found", f"No tax year {year} for {slug}", f"ไม่พบปีภาษี {year + 543}")
    return ty


def organisation_for_user(user: Any, slug: str) -> Organisation:
    ids = organisation_ids_for_user(user)
    qs = Organisation.objects.filter(slug=slug)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    org = qs.first()
    if org is None:
        raise NotFoundError("organisation_not_found", f"No organisation {slug!r}", f"ไม่พบองค์กร {slug!r}")
    return org


def assessment_for_user(user: Any, pk: int) -> Assessment:
    ids = organisation_ids_for_user(user)
    qs = Assessment.objects.select_related("organisation", "tax_year", "party", "village")
    if ids is not None:
        qs = qs.filter(organisation_id__in=ids)
    a = qs.filter(pk=pk).first()
    if a is None:
        raise NotFoundError("assessment_not_found", f"No assessment {pk}", f"ไม่พบรายการประเมิน {pk}")
    return a


def payment_for_user(user: Any, pk: int) -> Payment:
    ids = organisation_ids_for_user(user)
    qs = Payment.objects.select_related(
        "assessment__organisation", "assessment__tax_year", "assessment__party"
    )
    if ids is not None:
        qs = qs.filter(organisation_id__in=ids)
    p = qs.filter(pk=pk).first()
    if p is None:
        raise NotFoundError("payment_not_found", f"No payment {pk}", f"ไม่พบรายการชำระเงิน {pk}")
    return p


def year_summary(tax_year: TaxYear) -> dict[str, Any]:
    """Counts and sums of the year by payment status (one query)."""
    rows = (
        with_pay_status(
            Assessment.objects.filter(tax_year=tax_year).exclude(status=AssessmentStatus.CANCELLED)
        )
        .order_by()
        .values("pay_status")
        .annotate(n=Count("id"), total=Sum("total"), paid=Sum("paid"))
    )
    by = {r["pay_status"]: r for r in rows}
    return {
        "by_status": [
            {
                "status": s,
                "label": STATUS_LABELS[s],
                "n": by.get(s, {}).get("n", 0),
                "total": by.get(s, {}).get("total") or ZERO,
                "paid": by.get(s, {}).get("paid") or ZERO,
            }
            for s in STATUSES[1:]
        ],
        "n": sum(r["n"] for r in by.values()),
        "total": sum((r["total"] or ZERO for r in by.values()), ZERO),
        "paid": sum((r["paid"] or ZERO for r in by.values()), ZERO),
    }


# Titles written before a Thai first name (glued to it: "นายจายปัน"), longest first so that "นางสาว"
# is not read as "นาง" + "สาว"; English ones are followed by a space or a dot.
NAME_TITLES = (
    "นางสาว", "เด็กหญิง", "เด็กชาย", "ด.ญ.", "ด.ช.", "น.ส.", "นาง", "นาย",
    "Miss", "Mrs.", "Mrs", "Mr.", "Mr", "Ms.", "Ms",
)


def split_title(token: str) -> tuple[str, str]:
    """``"นายจายปัน"`` -> ``("นาย", "จายปัน")``; a token without a known title -> ``("", token)``."""
    for title in NAME_TITLES:
        if token.startswith(title) and len(token) > len(title):
            return title.rstrip("."), token[len(title) :].lstrip(". ")
    return "", token


def _name(word: str) -> Q:
    return (
        Q(party__first_name__icontains=word)
        | Q(party__last_name__icontains=word)
        | Q(party__juristic_name__icontains=word)
    )


def _name_filter(search: str) -> Q:
    """Every word of the search in the taxpayer's name; the first may carry a title (with or without).

    "นายจายปัน อ่องแก้ว", "จายปัน อ่องแก้ว" and "อ่องแก้ว" find นายจายปัน อ่องแก้ว. A first word that only
    looks like a title and a name ("นางนวล") also finds a first name spelt that way.
    """
    words = search.split()
    if not words:
        return Q(pk__in=[])
    found = Q()
    for i, word in enumerate(words):
        title, rest = split_title(word) if i == 0 else ("", word)
        if title and rest:
            word_q = _name(word) | (
                (Q(party__title__iexact=title) | Q(party__title="")) & _name(rest)
            )
        elif title:  # the word is a bare title: "นาย จายปัน"
            word_q = Q(party__title__iexact=title)
        else:
            word_q = _name(word)
        found &= word_q
    return found


def review_search(tax_year: TaxYear, search: str) -> Q:
    """What the review list's search box finds: a name (with or without title), a notice number, a
    parcel code or a house number (the taxpayer's household, or a household on an assessed parcel)."""
    search = " ".join(search.split())
    q = _name_filter(search) | Q(notice_number__iexact=search)
    if " " not in search:
        parcel_ids = list(
            Parcel.objects.filter(organisation_id=tax_year.organisation_id, code__iexact=search).values_list(
                "pk", flat=True
            )
        )
        if parcel_ids:
            q |= Q(parcel_ids__overlap=parcel_ids)
        q |= Q(party__household__house_number__iexact=search)
        on_parcels = list(
            Household.objects.filter(
                organisation_id=tax_year.organisation_id,
                house_number__iexact=search,
                building__parcel_id__isnull=False,
            ).values_list("building__parcel_id", flat=True)
        )
        if on_parcels:
            q |= Q(parcel_ids__overlap=on_parcels)
    return q


def review_rows(
    tax_year: TaxYear,
    *,
    status: str = AssessmentStatus.DRAFT,
    village: int | None = None,
    category: str = "",
    min_change: Decimal | None = None,
    search: str = "",
) -> QuerySet[Assessment]:
    """Assessments of a year with last year's total and the difference (one query; page it)."""
    prev = (
        TaxYear.objects.filter(organisation_id=tax_year.organisation_id, year__lt=tax_year.year)
        .order_by("-year")
        .values_list("pk", flat=True)
        .first()
    )
    last = Assessment.objects.filter(tax_year_id=prev, party=OuterRef("party")).exclude(
        status=AssessmentStatus.CANCELLED
    )
    qs = (
        Assessment.objects.filter(tax_year=tax_year)
        .select_related("party", "village")
        .annotate(last_total=Subquery(last.values("total")[:1], output_field=MONEY_FIELD))
        .annotate(change=F("total") - Coalesce(F("last_total"), Value(ZERO)))
        .defer("detail")
    )
    if status:
        qs = qs.filter(status=status)
    if village:
        qs = qs.filter(village__number=village)
    if category:
        qs = qs.filter(category=category)
    if min_change is not None:
        qs = qs.filter(Q(change__gte=min_change) | Q(change__lte=-min_change))
    if search.strip():
        qs = qs.filter(review_search(tax_year, search))
    return with_pay_status(qs).order_by("village__number", "party_id", "pk")


def drafts_selection(tax_year: TaxYear, assessment_ids: list[int] | None = None) -> dict[str, Any]:
    """How many drafts of the year a bulk action would take, and their tax (one query).

    ``assessment_ids`` None: every draft of the year. Ids that are not drafts of the year count apart
    (``not_drafts``), so the confirmation can say that some were issued meanwhile.
    """
    qs = Assessment.objects.filter(tax_year=tax_year, status=AssessmentStatus.DRAFT)
    if assessment_ids is not None:
        qs = qs.filter(pk__in=assessment_ids)
    found = qs.aggregate(n=Count("id"), total=Sum("total"))
    n = found["n"] or 0
    return {
        "n": n,
        "total": found["total"] or ZERO,
        "not_drafts": 0 if assessment_ids is None else len(set(assessment_ids)) - n,
    }


def report_by_village_category(tax_year: TaxYear) -> list[dict[str, Any]]:
    """Assessed vs collected by village and category (issued notices; one query)."""
    return list(
        Assessment.objects.filter(tax_year=tax_year, status=AssessmentStatus.ISSUED)
        .order_by()
        .values("village__number", "village__name_th", "category")
        .annotate(
            n=Count("id"),
            assessed=Sum("total"),
            collected=Sum("paid"),
            surcharge=Sum("surcharge_paid"),
        )
        .order_by("village__number", "category")
    )


def arrears(tax_year: TaxYear, today: date | None = None, limit: int = 1000) -> QuerySet[Assessment]:
    """Issued notices with tax overdue on ``today`` (one query), largest first."""
    return (
        with_pay_status(
            Assessment.objects.filter(tax_year=tax_year, status=AssessmentStatus.ISSUED).select_related(
                "party", "village"
            ),
            today,
        )
        .filter(pay_status="overdue")
        .annotate(outstanding_tax=F("total") - F("paid"))
        .defer("detail")
        .order_by("-outstanding_tax")[:limit]
    )


def has_issued(tax_year: TaxYear) -> bool:
    return Assessment.objects.filter(tax_year=tax_year, status=AssessmentStatus.ISSUED).exists()


def notices_for_batch(tax_year: TaxYear, limit: int) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(tax_year=tax_year, status=AssessmentStatus.ISSUED)
        .select_related("organisation", "tax_year", "party")
        .prefetch_related("installments")
        .order_by("notice_number")[:limit]
    )


def register_extent(organisation: Organisation) -> list[float]:
    """The extent of the organisation's active parcels (its boundary's when it has none)."""
    from django.contrib.gis.db.models import Extent

    from parcels.models import Parcel

    found = Parcel.objects.filter(organisation=organisation, status="active").aggregate(e=Extent("geom"))["e"]
    return list(found or organisation.boundary.extent)


def household_bills(household: Any, today: date | None = None) -> list[dict[str, Any]]:
    """Issued tax bills of the household's registered members, for the resident page behind the QR.

    One query for the bills (installments, payments and reminders prefetched) and one for the
    office's PromptPay settings. Each bill shows what is due today, by the same function as the
    counter (:func:`taxes.collection.due_on`): tax, penalty and surcharge, with the breakdown; its
    PromptPay payload asks for that total, or there is none when nothing is owed.
    """
    today = today or timezone.localdate()
    members = Party.objects.filter(household=household).values("pk")
    bills = list(
        with_pay_status(Assessment.objects.filter(party__in=members, status=AssessmentStatus.ISSUED), today)
        .select_related("tax_year", "organisation", "party")
        .prefetch_related(
            "installments",
            "payments",
            Prefetch("reminders", queryset=Reminder.objects.select_related("batch")),
        )
        .order_by("-tax_year__year", "notice_number")
    )
    if not bills:
        return []
    office = TaxOffice.objects.filter(organisation_id=bills[0].organisation_id).first()
    rules_by_year: dict[int, Any] = {}
    rows = []
    for bill in bills:
        if bill.tax_year_id not in rules_by_year:
            rules_by_year[bill.tax_year_id] = tax_year_rules(bill.tax_year)
        installments = list(bill.installments.all())
        due = due_on(
            bill,
            today,
            rules_by_year[bill.tax_year_id],
            installments,
            reminder_for(bill, bill.reminders.all()),
        )
        next_due = min((line.due_date for line in due.lines), default=None)
        payload = ""
        tax_id = bill.organisation.tax_id
        if due.total > 0 and tax_id and bill.notice_number:
            # Reference 2 as on the notice's "pay in full" code (taxes.pdf.pay_codes).
            policy = office.ref2_policy if office else Ref2Policy.INSTALLMENT
            ref2 = {Ref2Policy.YEAR: str(bill.tax_year.year + 543), Ref2Policy.INSTALLMENT: "0"}.get(policy)
            payload = build_bill_payment_payload(
                biller_id=make_biller_id(tax_id, office.biller_suffix if office else "00"),
                ref1=bill.notice_number,
                ref2=ref2,
                amount=due.total,
            )
        rows.append(
            {
                "number": bill.notice_number,
                "tax_year": bill.tax_year.year + 543,
                "taxpayer": bill.party.display_name,
                "amount": due.total,
                "total": bill.total,
                "due_date": next_due,
                "status": STATUS_LABELS.get(bill.pay_status, bill.pay_status),
                "promptpay_payload": payload,
                "due": due,
                "breakdown": due_breakdown(due),
                "receipts": [
                    {"number": p.receipt_number, "paid_at": p.paid_on, "amount": p.amount, "url": ""}
                    for p in sorted(bill.payments.all(), key=lambda p: p.paid_on)
                ],
            }
        )
    return rows


def due_breakdown(due: Any) -> dict[str, str]:
    """What is due today in words (Thai and English): tax, penalty (with its percent) and surcharge."""
    pct = f"{due.penalty_percent:g}"
    th = f"ภาษี {due.tax:,.2f} บาท"
    en = f"tax {due.tax:,.2f} baht"
    if due.penalty:
        th += f" + เบี้ยปรับ {due.penalty:,.2f} บาท (ร้อยละ {pct})"
        en += f" + penalty {due.penalty:,.2f} baht ({pct} %)"
    if due.surcharge:
        th += f" + เงินเพิ่ม {due.surcharge:,.2f} บาท"
        en += f" + surcharge {due.surcharge:,.2f} baht"
    th += f" = ชำระวันนี้ {due.total:,.2f} บาท"
    en += f" = due today {due.total:,.2f} baht"
    return {"th": th, "en": en}
