from tests.health.conftest import health_org, leader, volunteer  # noqa: F401 - shared fixtures
