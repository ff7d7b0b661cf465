"""``UnitOfWork``: all the database work of one API request, on one connection, in one transaction.

The endpoint layer (``odesk_server.api.endpoint``) opens one per request in
the worker thread that runs the handler, and hands it to the access rule and
the handler. Nothing is opened until used: a request answered from the
caller's cached row and the verification alone never checks out a
connection for its handler. When the block ends normally the transaction
commits; when it raises, it rolls back and nothing of the request stays.

Three ways in, all on the same connection and transaction:

- ``connection``: a SQLAlchemy Core ``Connection`` for queries;
- ``session``: an ORM ``Session`` bound to that connection (objects stay
  readable after the commit: ``expire_on_commit=False``);
- ``fetch(prepared, values)``: a fixed hot statement
  (``db.prepared.PreparedStatement``) run at driver level on that
  connection, for reads only. The driver connection never leaves this module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from odesk_server.db.prepared import PreparedStatement, RawConnection


class UnitOfWork:
    """One request's connection, session and transaction, opened lazily (see the module docstring).

    Use it as a context manager; it commits on a normal exit and rolls back
    on an exception. Not thread-safe: one request, one thread.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._session: Session | None = None
        self._closed = False

    @property
    def connection(self) -> Connection:
        """The request's Core connection, checked out and in a transaction from its first use."""
        if self._connection is None:
            if self._closed:
                raise RuntimeError("this unit of work has ended")
            connection = self._engine.connect()
            connection.begin()
            self._connection = connection
        return self._connection

    @property
    def session(self) -> Session:
        """An ORM session in the request's transaction (it joins it; the unit of work commits)."""
        if self._session is None:
            self._session = Session(bind=self.connection, expire_on_commit=False)
        return self._session

    def fetch(self, statement: PreparedStatement, values: Mapping[str, Any]) -> list[Sequence[Any]]:
        """Every row of the fixed read ``statement`` run with ``values`` at driver level, in this transaction.

        Reads only: the Core connection does not see what runs here. Raises
        ``sqlalchemy.exc.DBAPIError`` as a Core execution would.
        """
        return statement.execute(RawConnection.under(self.connection), values)

    @property
    def used(self) -> bool:
        """Whether a connection was checked out."""
        return self._connection is not None

    def commit(self) -> None:
        """Flush the session and commit the transaction; the next use begins a new one."""
        if self._session is not None:
            self._session.flush()
        if self._connection is not None and self._connection.in_transaction():
            self._connection.commit()
            self._connection.begin()

    def close(self, *, commit: bool) -> None:
        """End the work: commit (``commit=True``) or roll back, then give the connection back."""
        session, connection = self._session, self._connection
        self._session = self._connection = None
        self._closed = True
        try:
            if session is not None:
                if commit:
                    session.flush()
                session.close()
            if connection is not None and connection.in_transaction():
                if commit:
                    connection.commit()
                else:
                    connection.rollback()
        finally:
            if connection is not None:
                connection.close()

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close(commit=kind is None)
