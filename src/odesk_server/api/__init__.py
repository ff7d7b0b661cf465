"""The REST API: endpoint declarations, one module per namespace as the client's routers.

``auth`` (``/api/auth/v1``), ``hr`` (``/api/hr/v2``), ``gds`` (the time and
financial reports), ``health`` (``/healthz``, ``/readyz``) and ``openapi``
(``/openapi.json``). Each declares its endpoints on an ``endpoint.Api``;
``endpoint`` turns the declarations into routes, ``params`` holds the
parameter types, ``deps`` the machinery under them (the verified caller,
parameters, the database turn). A new namespace (``mc``, ``offers``,
``team``...) is a new module here, or a package ``api/<namespace>/`` with one
module per resource once it grows, added to ``app.API``.
"""
