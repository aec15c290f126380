"""Fixtures of the health app: a village with households, its volunteer, the seeded kinds and thresholds."""

from __future__ import annotations

from datetime import date

import pytest

from community.models import VillageHelper
from health.catalogue import seed_health
from parcels import services as register
from tests.conftest import utm_point


def add_households(org, village, n: int, *, start: int = 1, dx: float = 0.0) -> list:
    return [
        register.household_create(
            organisation=org,
            house_number=f"{start + i}",
            location=utm_point(dx + 40 * i, 50 * (i % 3)),
            village=village,
        )
        for i in range(n)
    ]


def add_person(org, household, first: str, born: date, **extra):
    return register.party_create(
        organisation=org,
        kind="person",
        first_name=first,
        last_name="ไทใหญ่",
        birth_date=born,
        household=household,
        **extra,
    )


@pytest.fixture
def health_org(pangmu):
    seed_health(pangmu)
    return pangmu


@pytest.fixture
def houses(health_org, village):
    return add_households(health_org, village, 10)


@pytest.fixture
def volunteer(make_user, village):
    user = make_user("osm1", None, staff=False)
    VillageHelper.objects.create(
        user=user, organisation=village.organisation, village=village, kind="volunteer"
    )
    return user


@pytest.fixture
def leader(make_user, village):
    user = make_user("leader1", None, staff=False)
    VillageHelper.objects.create(user=user, organisation=village.organisation, village=village, kind="leader")
    return user


@pytest.fixture
def health_officer(make_user, pangmu):
    return make_user("hofficer", pangmu, "health officer")
