from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from gis_portal import roles

from .extras import build_extras
from .register import build_register


@pytest.fixture
def register(pangmu):
    return build_register(pangmu)


@pytest.fixture
def other_register(mokchampae):
    return build_register(mokchampae, id_seed="3580100")


@pytest.fixture
def extras(register, pangmu):
    """Imagery, tax and e-service rows of Pang Mu."""
    return build_extras(pangmu, register)


@pytest.fixture
def other_extras(other_register, mokchampae):
    return build_extras(mokchampae, other_register)


@pytest.fixture
def token_for():
    def make(user) -> str:
        return Token.objects.create(user=user).key

    return make


@pytest.fixture
def editor(make_user, pangmu):
    return make_user("editor", pangmu, roles.GIS_EDITOR)


@pytest.fixture
def viewer(make_user, pangmu):
    return make_user("viewer", pangmu, roles.VIEWER)
