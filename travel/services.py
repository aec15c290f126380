"""Staff keep the places: checked on every write (inside the tambon, event dates in order)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from gis_portal.errors import DomainError
from parcels.models import Organisation

from .models import Place


def place_check(place: Place) -> None:
    """Refuse a place outside its organisation or an event that ends before it starts."""
    problems = []
    if place.kind == "event" and not place.starts_on:
        problems.append(("starts_on", "An event needs its first day.", "งานต้องมีวันเริ่ม"))
    if place.starts_on and place.ends_on and place.ends_on < place.starts_on:
        problems.append(("ends_on", "The event ends before it starts.", "วันสิ้นสุดอยู่ก่อนวันเริ่ม"))
    if (
        place.location
        and place.organisation_id
        and not Organisation.objects.filter(
            pk=place.organisation_id, boundary__dwithin=(place.location, 0.005)
        ).exists()
    ):
        problems.append(("location", "The place is outside the subdistrict.", "ตำแหน่งอยู่นอกเขตตำบล"))
    if problems:
        raise DomainError(
            "bad_place",
            "; ".join(p[1] for p in problems),
            "; ".join(p[2] for p in problems),
            fields=[p[0] for p in problems],
        )


def place_save(*, place: Place, user: Any = None) -> Place:
    try:
        place.full_clean()
    except ValidationError as exc:
        messages = [f"{field}: {' '.join(errs)}" for field, errs in exc.message_dict.items()]
        raise DomainError("bad_place", "; ".join(messages)) from None
    place_check(place)
    place.save()
    return place
