"""The password sign-in backend: Django's ModelBackend, reading the user's roles with the user.

Every signed-in request reads the user (Django, from the session) and then, at the first
permission question, their roles (`rules.held`): two queries, and on PostgreSQL two round
trips, before the page does anything of its own. Here the roles come in the same statement as
the user, as one JSON column from a correlated subquery, and are handed to `rules.held` as that
request's memberships. No cache is involved: what the request sees is as fresh as the user row."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import F, Func, TextField

from campuseval.accounts.models import Membership, User
from campuseval.orgs.models import Unit

from .rules import remember_held

HELD_ROWS = "held_rows"


class HeldRows(Func):
    """The memberships of the user whose id is the expression, as JSON text
    `[[role, unit_id, path, kind], …]` in membership order."""

    output_field = TextField()
    _POSTGRES = (
        "(SELECT COALESCE(json_agg(json_build_array(m.role, m.unit_id, u.path, u.kind) ORDER BY m.id)::text, '[]') "
        'FROM "{membership}" m JOIN "{unit}" u ON u.id = m.unit_id WHERE m.user_id = %(expressions)s)'
    )
    _SQLITE = (
        "(SELECT COALESCE(json_group_array(json_array(role, unit_id, path, kind)), '[]') FROM "
        '(SELECT m.role, m.unit_id, u.path, u.kind FROM "{membership}" m JOIN "{unit}" u ON u.id = m.unit_id '
        "WHERE m.user_id = %(expressions)s ORDER BY m.id))"
    )

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        tables = {"membership": Membership._meta.db_table, "unit": Unit._meta.db_table}
        if connection.vendor == "postgresql":
            template = self._POSTGRES.format(**tables)
        elif connection.vendor == "sqlite":
            template = self._SQLITE.format(**tables)
        else:  # another database: nothing folded, `held` reads the memberships itself
            return super().as_sql(compiler, connection, template="NULL", **extra)
        return super().as_sql(compiler, connection, template=template, **extra)


class AccountBackend(ModelBackend):
    """Password sign-in as ModelBackend does it; the session's user read with their roles."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User._default_manager.annotate(**{HELD_ROWS: HeldRows(F("pk"))}).get(pk=user_id)
        except User.DoesNotExist:
            return None
        rows = getattr(user, HELD_ROWS, None)
        if rows is not None:
            remember_held(user, rows)
        return user if self.user_can_authenticate(user) else None
