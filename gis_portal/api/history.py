"""The register as it was on a date, from the django-simple-history tables, in one query."""

from __future__ import annotations

import datetime as dt

from django.db.models import Model, QuerySet
from django.utils import timezone

from gis_portal.errors import DomainError


def parse_as_of(value: str) -> dt.datetime:
    """``YYYY-MM-DD`` → the end of that day (local time zone) as an aware datetime, exclusive."""
    try:
        day = dt.date.fromisoformat(value.strip())
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    except (ValueError, OverflowError):
        raise DomainError(
            "bad_as_of",
            f"as_of must be a date YYYY-MM-DD, got {value!r}",
            f"as_of ต้องเป็นวันที่ในรูป YYYY-MM-DD: {value!r}",
        ) from None
    return timezone.make_aware(end, timezone.get_default_timezone())


def as_of_queryset(model: type[Model], before: dt.datetime) -> QuerySet:
    """Historical records of ``model``: the last version of each row recorded before ``before``.

    Rows deleted by then are left out. The records carry the model's field names (``id``,
    ``organisation_id``, ...), so the same filters, ordering and serializers apply to them.
    """
    return (
        model.history.filter(history_date__lt=before)  # type: ignore[attr-defined]
        .latest_of_each()
        .exclude(history_type="-")
    )
