"""odesk_server: a self-hosted oDesk API server.

Modules: ``settings`` (environment), ``db`` (engines, sessions, migrations),
``models`` (the domain model), ``security`` (password hashing, secrets),
``permissions`` (who may do what on which team), ``demo`` (the demo
organisation), ``cli`` (the ``odesk-server`` command), ``app`` (the ASGI app).
"""

__version__ = "0.1.0"
