"""Staff pages of the tax office (thin: forms in, services and selectors out).

The year's flow: appraisal tables (import/edit) -> assess -> review drafts -> issue -> notices (PDF)
-> payments (counter, bank file) -> reports and the tax-status map layer.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from gis_portal.errors import DomainError
from gis_portal.roles import TAX_OFFICER, VIEWER
from parcels.selectors import require_role, user_has_role

from . import bank, collection, conf, pdf, reminders, selectors, services
from .models import AssessmentStatus, Objection, Reminder, TaxYear

READ_ROLES = (TAX_OFFICER, VIEWER)


def _domain_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A refused operation: back to the page with the message (POST), or an error page (GET)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            if request.method == "POST" and exc.status_code == 400:
                messages.error(request, exc.message)
                return HttpResponseRedirect(request.META.get("HTTP_REFERER") or reverse("taxes:index"))
            return render(request, "taxes/error.html", {"error": exc}, status=exc.status_code)

    return wrapped


def _year(request: HttpRequest, slug: str, year: int, *roles: str) -> TaxYear:
    ty = selectors.tax_year_for_user(request.user, slug, year)
    require_role(request.user, ty.organisation, *(roles or READ_ROLES))
    return ty


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
@_domain_errors
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        org = selectors.organisation_for_user(request.user, request.POST.get("org", ""))
        require_role(request.user, org, TAX_OFFICER)
        try:
            to_year = int(request.POST.get("year", ""))
        except ValueError:
            raise DomainError(
                "year_invalid", "Give the tax year (CE), e.g. 2027", "กรุณาระบุปีภาษี (ค.ศ.)"
            ) from None
        if org.tax_years.exists():
            ty = services.tax_year_copy(organisation=org, to_year=to_year)
        else:
            ty = services.tax_year_create(organisation=org, year=to_year)
        messages.success(request, f"สร้างปีภาษี {ty.year + 543} แล้ว / tax year {ty.year} created")
        return HttpResponseRedirect(reverse("taxes:year", args=[org.slug, ty.year]))
    years = list(selectors.tax_years_for_user(request.user))
    from parcels.selectors import organisations_for_user

    orgs = [o for o in organisations_for_user(request.user) if user_has_role(request.user, o, TAX_OFFICER)]
    return render(request, "taxes/index.html", {"years": years, "orgs": orgs})


@login_required
@_domain_errors
def year_detail(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    ty = _year(request, slug, year)
    return render(
        request,
        "taxes/year.html",
        {
            "ty": ty,
            "summary": selectors.year_summary(ty),
            "officer": user_has_role(request.user, ty.organisation, TAX_OFFICER),
            "counts": {
                "land": ty.land_prices.count(),
                "building": ty.building_costs.count(),
                "depreciation": ty.depreciation.count(),
            },
            "sources": (ty.rules or {}).get("sources", []),
            "reminder_batches": list(ty.reminder_batches.annotate(n=Count("reminders"))[:20]),
            "today": timezone.localdate().isoformat(),
        },
    )


@login_required
@_domain_errors
@require_POST
def assess(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    ty = _year(request, slug, year, TAX_OFFICER)
    # Synchronous: the demo register (a few thousand taxpayers) takes seconds; a large office runs
    # ``manage.py assess`` (or a worker) instead.
    result = services.assess_year(organisation=ty.organisation, year=ty.year, user=request.user)
    messages.success(
        request,
        f"ประเมินแล้ว {result.drafts_written} ราย (ใหม่ {result.drafts_inserted}, "
        f"เปลี่ยน {result.drafts_updated}, ไม่เปลี่ยน {result.drafts_unchanged}, "
        f"ลบร่างของผู้ที่ไม่ต้องเสียภาษีแล้ว {result.drafts_deleted}, "
        f"คงแบบแจ้งที่ออกแล้ว {result.skipped_issued}) ภาษีรวม {result.total:,.2f} บาท / "
        f"{result.drafts_written} drafts ({result.drafts_inserted} new, {result.drafts_updated} changed, "
        f"{result.drafts_unchanged} unchanged, {result.drafts_deleted} deleted), {result.seconds:.1f} s",
    )
    return HttpResponseRedirect(reverse("taxes:review", args=[slug, year]))


@login_required
@_domain_errors
@require_http_methods(["GET", "POST"])
def appraisal(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    ty = _year(request, slug, year)
    if request.method == "POST":
        require_role(request.user, ty.organisation, TAX_OFFICER)
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError("file_missing", "Choose a CSV file", "กรุณาเลือกไฟล์ CSV")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DomainError("file_encoding", "The file is not UTF-8 text", "ไฟล์ไม่ใช่ข้อความ UTF-8") from None
        n = services.appraisal_import_csv(tax_year=ty, kind=request.POST.get("kind", ""), text=text)
        messages.success(request, f"นำเข้า {n} แถว / {n} rows imported")
        return HttpResponseRedirect(reverse("taxes:appraisal", args=[slug, year]))
    return render(
        request,
        "taxes/appraisal.html",
        {
            "ty": ty,
            "land": ty.land_prices.select_related("parcel").order_by("zone", "block", "parcel__code")[:300],
            "costs": ty.building_costs.order_by("building_type"),
            "depreciation": ty.depreciation.order_by("material", "age_from")[:400],
            "officer": user_has_role(request.user, ty.organisation, TAX_OFFICER),
            "kinds": services.APPRAISAL_KINDS,
        },
    )


REVIEW_PAGE_SIZE = 100


def _selected_ids(request: HttpRequest) -> list[int] | None:
    """The drafts a bulk action takes: None for "all drafts of the year", else the ticked ids."""
    if "issue_all" in request.POST:
        return None
    try:
        ids = sorted({int(x) for x in request.POST.getlist("ids")})
    except ValueError:
        raise DomainError("ids_invalid", "Bad selection", "รายการที่เลือกไม่ถูกต้อง") from None
    if not ids:
        raise DomainError("nothing_selected", "Select the drafts to issue", "กรุณาเลือกรายการที่จะออกแบบแจ้ง")
    return ids


def _expected(request: HttpRequest) -> tuple[int, Decimal]:
    try:
        return int(request.POST["expected_count"]), Decimal(request.POST["expected_total"])
    except (KeyError, ValueError, InvalidOperation):
        raise DomainError(
            "confirm_missing",
            "Confirm the number of notices and the amount first",
            "กรุณายืนยันจำนวนแบบแจ้งและยอดภาษีก่อน",
        ) from None


def _review_issue(request: HttpRequest, ty: TaxYear) -> HttpResponse:
    """Bulk issue in two steps: a page that says how many notices and how much tax, then the issue
    of exactly that (refused when the drafts changed in between)."""
    require_role(request.user, ty.organisation, TAX_OFFICER)
    review_url = reverse("taxes:review", args=[ty.organisation.slug, ty.year])
    ids = _selected_ids(request)
    if request.POST.get("confirm") != "1":
        selection = selectors.drafts_selection(ty, ids)
        if not selection["n"]:
            raise DomainError("no_drafts", "No drafts to issue", "ไม่มีร่างที่จะออกแบบแจ้ง")
        return render(
            request,
            "taxes/review_confirm.html",
            {
                "ty": ty,
                "ids": ids,
                "all": ids is None,
                "selection": selection,
                # Back to the list as it was filtered (a query string only: never another site).
                "back": review_url + "?" + QueryDict(request.POST.get("filter_query", "")).urlencode(),
            },
        )
    n = services.assessments_issue(
        tax_year=ty, assessment_ids=ids, user=request.user, expected=_expected(request)
    )
    messages.success(request, f"ออกแบบแจ้งแล้ว {n:,} ฉบับ / {n:,} notices issued")
    return HttpResponseRedirect(review_url + "?status=issued")


@login_required
@_domain_errors
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    ty = _year(request, slug, year)
    if request.method == "POST":
        return _review_issue(request, ty)
    g = request.GET
    status = g.get("status", AssessmentStatus.DRAFT)
    try:
        village = int(g["village"]) if g.get("village") else None
        min_change = Decimal(g["min_change"]) if g.get("min_change") else None
    except (ValueError, InvalidOperation):
        raise DomainError("filter_invalid", "Bad filter value", "ค่าตัวกรองไม่ถูกต้อง") from None
    rows = selectors.review_rows(
        ty,
        status=status if status in AssessmentStatus.values else "",
        village=village,
        category=g.get("category", ""),
        min_change=min_change,
        search=g.get("q", "").strip(),
    )
    page = Paginator(rows, REVIEW_PAGE_SIZE).get_page(g.get("page"))
    page_rows = list(page.object_list)
    for a in page_rows:
        a.pay_status_label = selectors.STATUS_LABELS.get(a.pay_status, a.pay_status)
    keep = g.copy()
    keep.pop("page", None)
    return render(
        request,
        "taxes/review.html",
        {
            "ty": ty,
            "rows": page_rows,
            "page": page,
            "filter_query": keep.urlencode(),
            "status": status,
            "statuses": AssessmentStatus.choices,
            "categories": ["agricultural", "residential", "other", "vacant"],
            "officer": user_has_role(request.user, ty.organisation, TAX_OFFICER),
            "filters": g,
        },
    )


def _pay(request: HttpRequest, a: Any) -> HttpResponse:
    """A counter payment: its form's one-time key makes a second submit record nothing new."""
    try:
        amount = Decimal(request.POST.get("amount", "").replace(",", ""))
        paid_on = date.fromisoformat(request.POST.get("paid_on") or timezone.localdate().isoformat())
    except (InvalidOperation, ValueError):
        raise DomainError(
            "payment_input_invalid", "Give the amount and the date", "กรุณาระบุจำนวนเงินและวันที่"
        ) from None
    try:
        key = uuid.UUID(request.POST.get("payment_key", ""))
    except ValueError:
        raise DomainError(
            "payment_key_missing",
            "The form has expired: reload the page and record the payment again",
            "แบบฟอร์มหมดอายุ กรุณาโหลดหน้าใหม่แล้วบันทึกอีกครั้ง",
        ) from None
    p, created = collection.payment_record_once(
        assessment=a, amount=amount, paid_on=paid_on, key=key, user=request.user
    )
    if created:
        messages.success(request, f"รับชำระแล้ว ใบเสร็จ {p.receipt_number} / receipt {p.receipt_number}")
    else:
        messages.info(
            request,
            f"รายการนี้บันทึกไปแล้ว ใบเสร็จ {p.receipt_number} (ไม่ได้บันทึกซ้ำ) / "
            f"already recorded: receipt {p.receipt_number} (nothing recorded twice)",
        )
    return HttpResponseRedirect(reverse("taxes:assessment", args=[a.pk]) + f"?receipt={p.pk}#payments")


@login_required
@_domain_errors
@require_http_methods(["GET", "POST"])
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    a = selectors.assessment_for_user(request.user, pk)
    require_role(request.user, a.organisation, *READ_ROLES)
    officer = user_has_role(request.user, a.organisation, TAX_OFFICER)
    if request.method == "POST":
        require_role(request.user, a.organisation, TAX_OFFICER)
        action = request.POST.get("action")
        if action == "pay":
            return _pay(request, a)
        if action == "object":
            services.objection_file(assessment=a, reason=request.POST.get("reason", ""))
            messages.success(request, "บันทึกคำคัดค้านแล้ว / objection recorded")
        elif action in ("accept", "reject"):
            o = Objection.objects.filter(assessment=a, pk=request.POST.get("objection") or 0).first()
            if o is None:
                raise DomainError("objection_not_found", "No such objection", "ไม่พบคำคัดค้าน")
            o = services.objection_decide(
                objection=o,
                accepted=action == "accept",
                decision=request.POST.get("decision", ""),
                user=request.user,
            )
            a.refresh_from_db()
            if hasattr(a, "replaced_by"):
                messages.success(
                    request,
                    f"รับคำคัดค้าน ออกแบบแจ้งแทนเลขที่ {a.replaced_by.notice_number} / "
                    f"objection accepted, replacement notice {a.replaced_by.notice_number}",
                )
                return HttpResponseRedirect(reverse("taxes:assessment", args=[a.replaced_by.pk]))
        elif action == "received":
            r = Reminder.objects.filter(assessment=a, pk=request.POST.get("reminder") or 0).first()
            if r is None:
                raise DomainError("reminder_not_found", "No such reminder", "ไม่พบหนังสือแจ้งเตือน")
            try:
                received_on = date.fromisoformat(request.POST.get("received_on", ""))
            except ValueError:
                raise DomainError("date_invalid", "Give the day it was received", "กรุณาระบุวันที่ได้รับ") from None
            reminders.reminder_received(reminder=r, received_on=received_on, user=request.user)
            messages.success(request, f"บันทึกวันที่ได้รับหนังสือ {r.number} แล้ว / reminder {r.number} received")
        elif action == "cancel":
            services.assessment_cancel(assessment=a, user=request.user)
            messages.success(request, "ยกเลิกแบบแจ้งแล้ว / notice cancelled")
        else:
            raise DomainError("action_unknown", "Unknown action", "ไม่รู้จักคำสั่ง")
        return HttpResponseRedirect(reverse("taxes:assessment", args=[a.pk]))
    installments = list(a.installments.all())
    due = collection.due_today(a) if a.status == "issued" else None
    return render(
        request,
        "taxes/assessment.html",
        {
            "a": a,
            "installments": installments,
            "payments": list(a.payments.all()),
            "objections": list(a.objections.all()),
            "refunds": list(a.refunds.all()),
            "reminders": list(a.reminders.select_related("batch")),
            "due": due,
            "breakdown": selectors.due_breakdown(due) if due else None,
            "payment_key": uuid.uuid4(),
            "officer": officer,
            "today": timezone.localdate().isoformat(),
            "detail": a.itemised,
            "party_name": a.party.display_name,
            "replaced_by": getattr(a, "replaced_by", None),
        },
    )


@login_required
@_domain_errors
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    a = selectors.assessment_for_user(request.user, pk)
    require_role(request.user, a.organisation, *READ_ROLES)
    if a.status != AssessmentStatus.ISSUED:
        raise DomainError("not_issued", "Only an issued notice has a PDF", "มีเฉพาะแบบแจ้งที่ออกแล้ว")
    office = services.tax_office_for(a.organisation)
    return _pdf(pdf.notices_pdf([a], office), f"notice-{a.notice_number}.pdf")


@login_required
@_domain_errors
def notices_batch_pdf(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    ty = _year(request, slug, year)
    office = services.tax_office_for(ty.organisation)
    rows = list(selectors.notices_for_batch(ty, conf.TAX_BATCH_PDF_MAX))
    return _pdf(pdf.notices_pdf(rows, office), f"notices-{slug}-{ty.year + 543}.pdf")


@login_required
@_domain_errors
def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    p = selectors.payment_for_user(request.user, pk)
    require_role(request.user, p.organisation_id, *READ_ROLES)
    office = services.tax_office_for(p.assessment.organisation)
    return _pdf(pdf.receipt_pdf(p, office), f"receipt-{p.receipt_number}.pdf")


@login_required
@_domain_errors
@require_POST
def payments_import(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    ty = _year(request, slug, year, TAX_OFFICER)
    upload = request.FILES.get("file")
    if upload is None:
        raise DomainError("file_missing", "Choose the bank's CSV file", "กรุณาเลือกไฟล์ CSV ของธนาคาร")
    rows = bank.parse_reconciliation(upload.read())
    result = collection.payments_import(organisation=ty.organisation, rows=rows, user=request.user)
    messages.success(
        request,
        f"บันทึก {result.recorded} รายการ ซ้ำ {result.duplicates} รายการ รวม {result.amount:,.2f} บาท / "
        f"{result.recorded} recorded, {result.duplicates} duplicates skipped",
    )
    return HttpResponseRedirect(reverse("taxes:year", args=[slug, year]))


@login_required
@_domain_errors
def reports(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    ty = _year(request, slug, year)
    rows = selectors.report_by_village_category(ty)
    totals = {
        "n": sum(r["n"] for r in rows),
        "assessed": sum((r["assessed"] or 0 for r in rows), Decimal(0)),
        "collected": sum((r["collected"] or 0 for r in rows), Decimal(0)),
    }
    return render(
        request,
        "taxes/reports.html",
        {
            "ty": ty,
            "rows": rows,
            "totals": totals,
            "arrears": list(selectors.arrears(ty)),
            "summary": selectors.year_summary(ty),
            "statuses": [(s, selectors.STATUS_LABELS[s]) for s in selectors.STATUSES],
            "map_config": {
                "tiles": reverse("tiles:mvt-tax-status", args=[ty.year, 0, 0, 0]).replace("/0/0/0.mvt", ""),
                "extent": selectors.register_extent(ty.organisation),
            },
        },
    )
