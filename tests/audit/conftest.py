from __future__ import annotations

import pytest

from tests.api.register import build_register


@pytest.fixture
def register(pangmu):
    return build_register(pangmu)


@pytest.fixture
def other_register(mokchampae):
    return build_register(mokchampae, id_seed="3580100")
