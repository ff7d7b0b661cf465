"""Alembic migrations of the server database, applied by ``odesk_server.db.migrate``."""
