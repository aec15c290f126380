"""What the office tells people, in reaction to the other apps' change events and on a schedule."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from eservices import events as eservice_events
from gis_portal.roles import SERVICE_OFFICER
from health import events as health_events
from parcels.models import Household, Membership

from . import messages, services


def connect() -> None:
    eservice_events.request_status_changed.connect(on_request_status, dispatch_uid="notify_request_status")
    health_events.village_threshold_passed.connect(on_village_alert, dispatch_uid="notify_village_alert")


def on_request_status(sender: Any, request_id: int, to_status: str, comment: str = "", **kwargs: Any) -> None:
    from eservices.selectors import request_summary

    summary = request_summary(request_id)
    if summary is None:
        return
    household = Household.objects.get(pk=summary["household_id"])
    services.notify_household(
        household=household,
        text=messages.request_status(summary, comment, household),
        event=f"request:{request_id}:{summary['events']}",
    )


def on_village_alert(sender: Any, alert_id: int, **kwargs: Any) -> None:
    from health.larval import alert_summary
    from health.roles import HEALTH_OFFICER

    alert = alert_summary(alert_id)
    staff = list(
        Membership.objects.filter(
            organisation_id=alert["organisation_id"], role__name__in=[SERVICE_OFFICER, HEALTH_OFFICER]
        ).values_list("user_id", flat=True)
    )
    services.notify_staff(
        organisation_id=alert["organisation_id"],
        user_ids=staff,
        text=messages.village_alert(alert),
        event=f"larval:{alert_id}",
    )


def announce_bills(organisation_id: int, *, today: Any = None, issued_within_days: int = 2) -> int:
    """Tell households about notices issued lately and installments falling due (each once)."""
    from taxes.bill_feed import bills_issued_since, installments_due_soon

    from . import conf

    today = today or timezone.localdate()
    since = timezone.now() - timedelta(days=issued_within_days)
    sent = 0
    issued = bills_issued_since(organisation_id, since)
    due = installments_due_soon(organisation_id, today, conf.BILL_DUE_SOON_DAYS)
    households = Household.objects.in_bulk({b["household_id"] for b in issued + due})
    for bill in issued:
        sent += len(
            services.notify_household(
                household=households[bill["household_id"]],
                text=messages.bill_issued(bill, households[bill["household_id"]]),
                event=f"bill:{organisation_id}:{bill['number']}:issued",
            )
        )
    for inst in due:
        sent += len(
            services.notify_household(
                household=households[inst["household_id"]],
                text=messages.bill_due(inst, households[inst["household_id"]]),
                event=f"bill:{organisation_id}:{inst['number']}:due{inst['installment']}",
            )
        )
    return sent
