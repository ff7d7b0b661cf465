"""The REST API, one module per namespace as the client's routers: ``auth``, ``hr``, ``gds``.

Shared pieces: ``deps`` (FastAPI dependencies: caller, session, parameters)
and ``responses`` (the oDesk envelope in JSON or XML).
"""
