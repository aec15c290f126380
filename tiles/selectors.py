"""Reads for the tile endpoints: which organisations a user's tiles may show."""

from __future__ import annotations

from typing import Any

from parcels.models import Organisation
from parcels.selectors import organisation_ids_for_user


def tile_organisation_ids(user: Any) -> list[int]:
    """The organisations whose features the user's tiles carry (a superuser: every organisation)."""
    ids = organisation_ids_for_user(user)
    if ids is None:
        return sorted(Organisation.objects.values_list("id", flat=True))
    return sorted(ids)
