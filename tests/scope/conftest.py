from __future__ import annotations

import pytest

from .world import build_office, mark_victim, staff_of


@pytest.fixture
def offices(pangmu, mokchampae, django_user_model):
    """Pang Mu (victim, marked) and Mok Champae (the intruder's office), with their staff."""
    victim_staff = staff_of(django_user_model, pangmu, "pangmu_staff")
    intruder = staff_of(django_user_model, mokchampae, "mok_staff")
    victim = build_office(pangmu, id_seed="1101700", owner=victim_staff)
    own = build_office(mokchampae, id_seed="3580100", owner=intruder)
    mark_victim(pangmu)
    pangmu.refresh_from_db()
    return {
        "victim_org": pangmu,
        "own_org": mokchampae,
        "victim": victim,
        "own": own,
        "intruder": intruder,
        "victim_staff": victim_staff,
    }
