"""The account tests share the people tests' world (the persona world and its administrators)."""

from tests.people.conftest import admins  # noqa: F401
