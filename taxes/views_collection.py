"""Staff pages of the collection cycle: the office's due dates (Sec. 14), reminder letters (Sec. 61).

Thin: forms in, :mod:`taxes.taxyears` and :mod:`taxes.reminders` out; the PDFs from :mod:`taxes.pdf_reminder`.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from gis_portal.errors import DomainError, NotFoundError
from gis_portal.roles import TAX_OFFICER

from . import pdf_reminder, reminders, taxyears
from .models import ReminderBatch
from .views import _domain_errors, _pdf, _year


def _date(text: str, label_en: str, label_th: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError("date_invalid", f"Give {label_en} as a date", f"กรุณาระบุ{label_th}เป็นวันที่") from None


@login_required
@_domain_errors
@require_http_methods(["GET", "POST"])
def office_dates(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The due dates the office sets for notices issued after the year's own dates, with the reason."""
    ty = _year(request, slug, year)
    rules = taxyears.tax_year_rules(ty)
    if request.method == "POST":
        ty = _year(request, slug, year, TAX_OFFICER)
        texts = [t for t in request.POST.getlist("due_date") if t.strip()]
        dates = [_date(t, "each due date", "วันครบกำหนด") for t in texts]
        taxyears.tax_year_set_office_dates(
            tax_year=ty, dates=dates, reason=request.POST.get("reason", ""), user=request.user
        )
        messages.success(request, "บันทึกกำหนดชำระของ อปท. แล้ว / office due dates saved")
        return HttpResponseRedirect(reverse("taxes:year", args=[slug, year]))
    today = timezone.localdate()
    start = today + timedelta(days=rules.notice_min_days_to_pay)
    return render(
        request,
        "taxes/office_dates.html",
        {
            "ty": ty,
            "year_dates": rules.default_due_dates(),
            "count": rules.installment_count,
            "min_days": rules.notice_min_days_to_pay,
            "earliest": start.isoformat(),
            "current": ty.office_due_dates,
        },
    )


@login_required
@_domain_errors
@require_POST
def reminders_issue(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    ty = _year(request, slug, year, TAX_OFFICER)
    issued_on = _date(request.POST.get("issued_on") or timezone.localdate().isoformat(), "the date", "วันที่")
    pay_by = _date(request.POST.get("pay_by", ""), "the date to pay by", "วันที่ต้องชำระภายใน")
    batch = reminders.reminders_issue(tax_year=ty, issued_on=issued_on, pay_by=pay_by, user=request.user)
    n = batch.reminders.count()
    messages.success(request, f"ออกหนังสือแจ้งเตือน {n} ฉบับ / {n} reminder letters issued")
    return HttpResponseRedirect(reverse("taxes:year", args=[slug, year]) + "#reminders")


@login_required
@_domain_errors
def reminder_batch_pdf(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    ty = _year(request, slug, year)
    batch = ReminderBatch.objects.filter(tax_year=ty, pk=pk).first()
    if batch is None:
        raise NotFoundError("reminder_batch_not_found", f"No reminder batch {pk}", "ไม่พบชุดหนังสือแจ้งเตือน")
    office = taxyears.tax_office_for(ty.organisation)
    return _pdf(pdf_reminder.reminders_pdf(batch, office), f"reminders-{slug}-{ty.year + 543}-{batch.pk}.pdf")
