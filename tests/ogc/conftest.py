from tests.api.conftest import editor, other_register, register, token_for, viewer  # noqa: F401
