"""gvizql: the Google Visualization API Query Language, standalone.

``run_query(table, tq)`` runs a query over a ``DataTable`` in memory;
``parse`` and ``analyze`` expose the front end the SQL executor shares.
"""

from gvizql.analyze import AnalyzedQuery, analyze
from gvizql.datatable import Column, DataTable, ValueType, Warning
from gvizql.errors import QueryError, Reason
from gvizql.memory import run_query
from gvizql.parser import parse

__all__ = [
    "AnalyzedQuery",
    "Column",
    "DataTable",
    "QueryError",
    "Reason",
    "ValueType",
    "Warning",
    "analyze",
    "parse",
    "run_query",
]
