"""The ledger: every movement of money, written in one place.

A transaction is a group of legs (``LedgerEntry`` rows) sharing one
``transaction_ref``. Money that moves between parties of a contract is
three legs that sum to zero: the buyer pays the charges, the payee (the
provider, or the agency he works through) earns the charges less the
platform fee, and the platform keeps the fee. Money that enters or leaves
the platform (a client's deposit, a provider's withdrawal) is one leg.

What moves money builds legs here (``contract_transaction``,
``external_transaction``) and hands them to ``post``, which numbers and
inserts them. Amounts are ``Decimal`` rounded to the cent (``money``),
never floats.

A request pays through ``post_now`` and nothing else: it numbers after the
highest numbers in use, so two requests posting at the same moment would
pick the same numbers. ``post_now`` first takes ``lock_numbering`` (on
PostgreSQL a transaction-level advisory lock, on SQLite the write lock), so
concurrent payments, on any contracts, take turns and each gets its own
numbers.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from odesk_server.models import DEFAULT_FEE_RATE, REFERENCE_BASES, LedgerEntry, money, table_of

#: Days a client has to pay an invoice.
INVOICE_TERMS = dt.timedelta(days=7)
#: The transaction numbers start after this one (the demo numbers its ledger from here too).
TRANSACTION_BASE = 8_000_000
#: The key of the PostgreSQL advisory lock held, until the transaction ends, by whoever numbers money rows.
LEDGER_LOCK_KEY = 0x6F64_6573_6B4C  # "odeskL"


@dataclass(frozen=True)
class ContractParties:
    """Who a contract's money concerns, as the report fields name them (ids of companies, teams, users)."""

    engagement_id: int
    buyer_company_id: int
    buyer_team_id: int
    provider_user_id: int
    provider_company_id: int | None = None
    provider_team_id: int | None = None
    po_number: str | None = None


@dataclass(frozen=True)
class ContractAccounts:
    """The accounting entities a contract's money moves between."""

    buyer: int
    payee: int
    platform: int


@dataclass(frozen=True)
class Leg:
    """One ledger entry before it is numbered: an amount on one accounting entity, and what it was for."""

    accounting_entity_id: int
    amount: Decimal
    date: dt.date
    date_due: dt.date
    type: str
    subtype: str
    description: str
    engagement_id: int | None = None
    buyer_company_id: int | None = None
    buyer_team_id: int | None = None
    provider_user_id: int | None = None
    provider_company_id: int | None = None
    provider_team_id: int | None = None
    po_number: str | None = None
    memo: str | None = None
    comment: str | None = None
    notes: str | None = None


Transaction = tuple[Leg, ...]


def _values(record: ContractParties | Leg) -> dict[str, Any]:
    """The fields of a flat record by name (``dataclasses.asdict`` without its deep copies)."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


def provider_share(charges: Decimal, fee_rate: Decimal = DEFAULT_FEE_RATE) -> Decimal:
    """What the payee earns of ``charges`` once the platform took ``fee_rate`` of it, to the cent."""
    return money(charges * (1 - fee_rate))


def contract_transaction(
    parties: ContractParties,
    accounts: ContractAccounts,
    day: dt.date,
    kind: str,
    subtype: str,
    charges: Decimal,
    earnings: Decimal,
    *,
    description: str,
    memo: str | None = None,
    comment: str | None = None,
    notes: str | None = None,
) -> Transaction:
    """Three legs that sum to zero: the buyer pays ``charges``, the payee earns ``earnings``, the platform the rest.

    ``kind`` is ``Invoice`` (due ``INVOICE_TERMS`` later) or ``Adjustment``
    (due at once); a refund is the same with negative amounts.
    """
    due = day + INVOICE_TERMS if kind == "Invoice" else day
    about = _values(parties)
    return tuple(
        Leg(
            accounting_entity_id=entity,
            amount=amount,
            date=day,
            date_due=due,
            type=kind,
            subtype=subtype,
            description=description,
            memo=memo,
            comment=comment,
            notes=notes,
            **about,
        )
        for entity, amount in (
            (accounts.buyer, -charges),
            (accounts.payee, earnings),
            (accounts.platform, charges - earnings),
        )
    )


def external_transaction(
    entity: int, day: dt.date, kind: str, subtype: str, amount: Decimal, description: str
) -> Transaction:
    """One leg: money entering (a deposit, positive) or leaving (a withdrawal, negative) the platform."""
    return (
        Leg(
            accounting_entity_id=entity,
            amount=amount,
            date=day,
            date_due=day,
            type=kind,
            subtype=subtype,
            description=description,
        ),
    )


def post(
    conn: Connection,
    transactions: Iterable[Transaction],
    *,
    first_transaction_ref: int,
    next_reference: Callable[[], int],
    created_at: Callable[[dt.date], dt.datetime],
) -> int:
    """Insert ``transactions`` in date order, numbering them from ``first_transaction_ref``.

    Transactions of one day keep the order given. Each leg gets its own
    entry reference from ``next_reference()`` and a ``created_at`` from its
    date. Returns how many transactions were posted.
    """
    # sorted() is stable: transactions of one day keep the order they were made in.
    ordered: Sequence[Transaction] = sorted(transactions, key=lambda legs: legs[0].date)
    rows = list(ledger_rows(ordered, first_transaction_ref, next_reference, created_at))
    if rows:
        conn.execute(sa.insert(table_of(LedgerEntry)), rows)
    return len(ordered)


def ledger_rows(
    transactions: Iterable[Transaction],
    first_transaction_ref: int,
    next_reference: Callable[[], int],
    created_at: Callable[[dt.date], dt.datetime],
) -> Iterator[dict[str, object]]:
    """The ``LedgerEntry`` rows of ``transactions`` as given, numbered from ``first_transaction_ref``.

    What ``post`` inserts (after ordering by date); a bulk writer that already
    has the transactions in date order writes these itself.
    """
    for number, legs in enumerate(transactions):
        for leg in legs:
            yield {
                **_values(leg),
                "reference": next_reference(),
                "transaction_ref": first_transaction_ref + number,
                "created_at": created_at(leg.date),
            }


def lock_numbering(conn: Connection) -> None:
    """Wait for the ledger's numbers: until this transaction ends, no other one posts or numbers money rows.

    PostgreSQL: a transaction-level advisory lock (taken again by the same
    transaction, it is held once more, not waited for). SQLite: the
    database's write lock, taken by an UPDATE that changes no row. The
    driver runs a read before the transaction's first write on its own, so
    without the lock the highest numbers could be read before another
    request's payment commits and reused after it.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(LEDGER_LOCK_KEY)))
    else:
        table = table_of(LedgerEntry)
        conn.execute(sa.update(table).where(sa.false()).values(reference=table.c.reference))


def post_now(conn: Connection, transactions: Iterable[Transaction], now: dt.datetime) -> int:
    """Post ``transactions`` made by a request, numbered after everything already in the ledger.

    Returns the ``transaction_ref`` of the first one (the others follow in
    date order, as ``post`` numbers them). Entries are created at ``now``.
    Every payment a request makes comes through here: it takes
    ``lock_numbering`` before reading the highest numbers, so payments
    posted at the same moment, on any contracts, get distinct numbers. Call
    it in the request's transaction after the statement that decided the
    payment (the row locks first, the ledger's lock last).
    """
    lock_numbering(conn)
    table = table_of(LedgerEntry)
    last_entry, last_transaction = conn.execute(
        sa.select(sa.func.max(table.c.reference), sa.func.max(table.c.transaction_ref))
    ).one()
    entries = itertools.count(max(int(last_entry or 0), REFERENCE_BASES[LedgerEntry]) + 1)
    first = max(int(last_transaction or 0), TRANSACTION_BASE) + 1
    post(
        conn,
        transactions,
        first_transaction_ref=first,
        next_reference=lambda: next(entries),
        created_at=lambda _day: now,
    )
    return first
