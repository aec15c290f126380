"""The texts sent by LINE and SMS: short, Thai first with English after, numbers and dates plain."""

from __future__ import annotations

from typing import Any

from eservices.templatetags.eservices_icons import bedate


def _baht(amount: Any) -> str:
    return f"{amount:,.2f}"


def request_status(summary: dict[str, Any], comment: str, household: Any) -> str:
    text = (
        f"{summary['organisation']}: คำขอ {summary['reference']} {summary['service_th']} — "
        f"{summary['status_th']}\n"
        f"Request {summary['reference']} {summary['service_en']}: {summary['status_en']}"
    )
    if comment:
        text += f"\n{comment}"
    return text


def village_alert(alert: dict[str, Any]) -> str:
    month = f"{alert['month'].month}/{alert['month'].year + 543}"
    return (
        f"⚠ ลูกน้ำยุงลาย {alert['village']} เดือน {month}: {alert['index']} {alert['value']} "
        f"(เกณฑ์ {alert['threshold']})\n"
        f"Larval index alert: {alert['index']} {alert['value']} ≥ {alert['threshold']}"
    )


def bill_issued(bill: dict[str, Any], household: Any) -> str:
    return (
        f"ใบแจ้งภาษีที่ดินและสิ่งปลูกสร้าง ปี {bill['tax_year'] + 543} เลขที่ {bill['number']} "
        f"{_baht(bill['amount'])} บาท ดูและชำระด้วย QR ที่หน้าบ้านของท่าน\n"
        f"Land and building tax notice {bill['number']}: {_baht(bill['amount'])} baht"
    )


def bill_due(inst: dict[str, Any], household: Any) -> str:
    return (
        f"ภาษีเลขที่ {inst['number']} งวดที่ {inst['installment']} {_baht(inst['amount'])} บาท "
        f"ครบกำหนด {bedate(inst['due_date'])}\n"
        f"Tax {inst['number']} installment {inst['installment']}: {_baht(inst['amount'])} baht due "
        f"{bedate(inst['due_date'], 'en')}"
    )
