"""Smart Yunglai: indices by the WHO definitions, thresholds as data, alerts, bad counts refused."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gis_portal.errors import DomainError, ValidationProblems
from health import events, larval
from health.models import IndexThreshold, LarvalCount, LarvalSurvey, VillageAlert

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def counts(**kw) -> dict:
    return {k: str(v) for k, v in kw.items()}


def test_indices_follow_the_who_definitions(houses, volunteer, django_capture_on_commit_callbacks):
    # 10 houses inspected; 3 have larvae. 2+4+0+... containers.
    plan = [
        counts(inspected_jar=4, positive_jar=2, inspected_tyre=1, positive_tyre=1),  # positive house, 2 kinds
        counts(inspected_jar=3, positive_jar=1),  # positive house
        counts(inspected_vase=5, positive_vase=1),  # positive house
        counts(inspected_jar=2),
        counts(inspected_tank=1),
        counts(),  # a house with no water-holding container still counts as inspected
        counts(inspected_bucket=2),
        counts(inspected_jar=1),
        counts(inspected_waste=3),
        counts(inspected_jar=3),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for hh, c in zip(houses, plan, strict=True):
            larval.survey_record(household=hh, surveyed_on=TODAY, counts=c, user=volunteer)
    [ind] = larval.village_indices(houses[0].organisation_id)
    assert (ind.houses, ind.positive_houses, ind.containers, ind.positive_containers) == (10, 3, 25, 5)
    assert Decimal("30.0") == ind.HI  # 3 of 10 houses
    assert Decimal("20.0") == ind.CI  # 5 of 25 containers
    assert Decimal("50.0") == ind.BI  # 5 positive containers per 100 houses: 5 / 10 × 100
    # HI 30 ≥ 10 and BI 50 ≥ 50 pass the seeded thresholds; CI 20 < 21 does not.
    assert set(VillageAlert.objects.values_list("index", flat=True)) == {"HI", "BI"}


def test_thresholds_are_data_and_each_alert_is_sent_once(
    houses, volunteer, django_capture_on_commit_callbacks
):
    heard = []

    def receiver(sender, alert_id, **kw):
        heard.append(alert_id)

    events.village_threshold_passed.connect(receiver)
    try:
        IndexThreshold.objects.filter(index="HI").update(value=Decimal("25"))
        IndexThreshold.objects.update(min_houses=1)
        with django_capture_on_commit_callbacks(execute=True):
            larval.survey_record(
                household=houses[0],
                surveyed_on=TODAY,
                counts=counts(inspected_jar=1, positive_jar=1),
                user=volunteer,
            )
        # 1 of 1 house: HI 100 ≥ 25, CI 100 ≥ 21, BI 100 ≥ 50
        assert len(heard) == 3
        with django_capture_on_commit_callbacks(execute=True):
            larval.survey_record(
                household=houses[1],
                surveyed_on=TODAY,
                counts=counts(inspected_jar=1, positive_jar=1),
                user=volunteer,
            )
        assert len(heard) == 3  # still over, but already alerted this month
        assert VillageAlert.objects.count() == 3
    finally:
        events.village_threshold_passed.disconnect(receiver)


def test_a_second_survey_in_the_month_replaces_the_first(houses, volunteer):
    hh = houses[0]
    larval.survey_record(
        household=hh, surveyed_on=TODAY, counts=counts(inspected_jar=4, positive_jar=2), user=volunteer
    )
    larval.survey_record(household=hh, surveyed_on=TODAY, counts=counts(inspected_jar=4), user=volunteer)
    survey = LarvalSurvey.objects.get()
    assert (survey.containers_inspected, survey.containers_positive) == (4, 0)
    assert LarvalCount.objects.filter(survey=survey).count() == 1


@pytest.mark.parametrize(
    "bad, code",
    [
        (counts(inspected_jar=2, positive_jar=3), "positive_over_inspected"),
        (counts(inspected_jar=-1), "not_a_count"),
        (counts(inspected_jar="2.5"), "not_a_count"),
        (counts(inspected_jar="١٢"), "not_a_count"),
        (counts(inspected_jar=10**9), "too_many"),
    ],
)
def test_bad_counts_are_refused_and_nothing_is_stored(houses, volunteer, bad, code):
    good = counts(inspected_tank=1, positive_tank=1)
    with pytest.raises(ValidationProblems) as exc:
        larval.survey_record(household=houses[0], surveyed_on=TODAY, counts={**good, **bad}, user=volunteer)
    assert [p.code for p in exc.value.problems] == [code]
    assert exc.value.problems[0].message_th
    assert not LarvalSurvey.objects.exists() and not LarvalCount.objects.exists()


def test_thai_digits_are_counts(houses, volunteer):
    survey = larval.survey_record(
        household=houses[0],
        surveyed_on=TODAY,
        counts={"inspected_jar": "๑๒", "positive_jar": "๓"},
        user=volunteer,
    )
    assert (survey.containers_inspected, survey.containers_positive) == (12, 3)


def test_a_survey_dated_in_the_future_is_refused(houses, volunteer):
    with pytest.raises(DomainError):
        larval.survey_record(
            household=houses[0], surveyed_on=TODAY + timedelta(days=2), counts={}, user=volunteer
        )
    assert not LarvalSurvey.objects.exists()


def test_the_database_refuses_more_positive_than_inspected(houses, volunteer):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        LarvalSurvey.objects.create(
            organisation=houses[0].organisation,
            village=houses[0].village,
            household=houses[0],
            month=date(2026, 1, 1),
            surveyed_on=date(2026, 1, 5),
            containers_inspected=1,
            containers_positive=2,
            recorded_by=volunteer,
        )


def test_indices_per_month_for_the_trend(houses, volunteer):
    last_month = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=15)
    larval.survey_record(
        household=houses[0],
        surveyed_on=last_month,
        counts=counts(inspected_jar=2, positive_jar=2),
        user=volunteer,
    )
    larval.survey_record(
        household=houses[0], surveyed_on=TODAY, counts=counts(inspected_jar=2), user=volunteer
    )
    series = larval.village_indices(houses[0].organisation_id)
    assert [(s.month, s.HI) for s in series] == [
        (last_month.replace(day=1), Decimal("100.0")),
        (TODAY.replace(day=1), Decimal("0.0")),
    ]
