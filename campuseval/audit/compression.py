"""lz4 compression for the large JSON columns on PostgreSQL, as a migration operation.

An autosave rewrites an application's answers and its 18 KB scoring result, and appends an
audit row. PostgreSQL compresses such values with pglz by default, which costs about half of
the UPDATE's time on the platform's busiest request; lz4 (PostgreSQL 14 and later, built with
it as the distributions' packages are) compresses about as well several times faster. Values
written before the change keep their compression until they are next written; reading either
needs nothing. Elsewhere (SQLite), or on a server without lz4, the operation does nothing."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def lz4_columns(table: str, columns: tuple[str, ...]) -> migrations.RunPython:
    """An operation that sets `columns` of `table` to lz4 compression, and back to the default."""

    def statement(connection: Any, method: str) -> str:
        quote = connection.ops.quote_name
        alters = ", ".join(f"ALTER COLUMN {quote(c)} SET COMPRESSION {method}" for c in columns)
        # a server built without lz4 refuses the method: it keeps pglz, the migration passes
        return (
            f"DO $$ BEGIN ALTER TABLE {quote(table)} {alters}; "
            "EXCEPTION WHEN feature_not_supported THEN NULL; END $$"
        )

    def apply(method: str) -> Any:
        def run(apps: Any, schema_editor: Any) -> None:
            connection = schema_editor.connection
            if connection.vendor != "postgresql" or connection.pg_version < 140000:
                return
            schema_editor.execute(statement(connection, method))

        return run

    return migrations.RunPython(apply("lz4"), apply("default"), elidable=False)
