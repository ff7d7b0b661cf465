"""Read models: the SQL that lists and shows resources, one module per domain.

Functions take the request's ``UnitOfWork`` and plain keys, return Core rows
or small records, and decide nothing about permissions: the caller has
already resolved what the user may see (``odesk_server.access``).
"""
