"""The SQL executor: gvizql queries compiled to SQLAlchemy Core, run by the database.

``run_query(connection, sa_table, tq)`` returns the same DataTable as the
in-memory ``gvizql.run_query`` on the same rows, with the database filtering,
grouping, pivoting, sorting and limiting. SQLite, PostgreSQL and DuckDB are
supported; see docs/gvizql-sql.md for the guarantees on each.
"""

from gvizql.sql.executor import run_query, schema_of

__all__ = ["run_query", "schema_of"]
