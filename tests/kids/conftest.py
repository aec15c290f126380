from tests.eservices.conftest import home, officer, other_home, seeded  # noqa: F401 - shared fixtures
from tests.health.conftest import leader, volunteer  # noqa: F401
