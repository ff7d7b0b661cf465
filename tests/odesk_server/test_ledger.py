"""The ledger module: the legs each movement of money posts, and how they are numbered and stored.

The rules as a table first (no database), then ``post`` on the demo database,
SQLite and PostgreSQL, with the new money showing in a financial report.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from odesk_server.db.work import UnitOfWork
from odesk_server.domain import ledger
from odesk_server.models import AccountingEntity, Engagement, LedgerEntry, Team, User
from odesk_server.reports.fields import FinancialEndpoint
from odesk_server.reports.runner import run_financial_report

PARTIES = ledger.ContractParties(
    engagement_id=7, buyer_company_id=1, buyer_team_id=2, provider_user_id=3, po_number="PO-1"
)
ACCOUNTS = ledger.ContractAccounts(buyer=10, payee=20, platform=30)
DAY = dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("charges", "fee_rate", "earnings"),
    [
        (Decimal("100.00"), Decimal("0.1000"), Decimal("90.00")),
        (Decimal("333.33"), Decimal("0.1000"), Decimal("300.00")),  # 299.997, half up to the cent
        (Decimal("0.05"), Decimal("0.1000"), Decimal("0.05")),  # 0.045 rounds half up
        (Decimal("-150.00"), Decimal("0.1000"), Decimal("-135.00")),  # a refund
        (Decimal("80.00"), Decimal("0"), Decimal("80.00")),
    ],
)
def test_provider_share_is_the_charges_less_the_fee_to_the_cent(charges, fee_rate, earnings):
    share = ledger.provider_share(charges, fee_rate)
    assert share == earnings
    assert share.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("kind", "subtype", "charges", "due"),
    [
        ("Invoice", "Hourly", Decimal("412.50"), DAY + dt.timedelta(days=7)),
        ("Invoice", "Bonus", Decimal("100.00"), DAY + dt.timedelta(days=7)),
        ("Adjustment", "Adjustment", Decimal("85.00"), DAY),
        ("Adjustment", "Refund", Decimal("-150.00"), DAY),
    ],
)
def test_a_contract_transaction_is_three_legs_that_sum_to_zero(kind, subtype, charges, due):
    earnings = ledger.provider_share(charges)
    legs = ledger.contract_transaction(
        PARTIES, ACCOUNTS, DAY, kind, subtype, charges, earnings, description="d", memo="m"
    )
    assert [(leg.accounting_entity_id, leg.amount) for leg in legs] == [
        (10, -charges),
        (20, earnings),
        (30, charges - earnings),
    ]
    assert sum((leg.amount for leg in legs), Decimal(0)) == 0
    assert {(leg.date, leg.date_due, leg.type, leg.subtype, leg.engagement_id, leg.po_number) for leg in legs} == {
        (DAY, due, kind, subtype, 7, "PO-1")
    }


def test_an_external_transaction_is_one_leg_due_at_once():
    (leg,) = ledger.external_transaction(10, DAY, "Payment", "Payment", Decimal("500.00"), "Credit card payment")
    assert (leg.accounting_entity_id, leg.amount, leg.date_due, leg.engagement_id) == (10, Decimal("500.00"), DAY, None)


def test_post_numbers_transactions_in_date_order_and_the_money_shows_in_the_reports(mutable_demo_database):
    url, _credentials = mutable_demo_database
    engine = sa.create_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            engagement, team = session.execute(
                sa.select(Engagement, Team)
                .join(Team, Team.id == Engagement.buyer_team_id)
                .where(Engagement.agency_company_id.is_(None))
                .order_by(Engagement.id)
                .limit(1)
            ).one()

            def entity(condition) -> int:
                return session.execute(sa.select(AccountingEntity.id).where(condition)).scalar_one()

            buyer = entity(AccountingEntity.company_id == team.company_id)
            accounts = ledger.ContractAccounts(
                buyer=buyer,
                payee=entity(AccountingEntity.user_id == engagement.provider_user_id),
                platform=entity(AccountingEntity.kind == "platform"),
            )
            parties = ledger.ContractParties(
                engagement_id=engagement.id,
                buyer_company_id=team.company_id,
                buyer_team_id=team.id,
                provider_user_id=engagement.provider_user_id,
            )
            later = ledger.contract_transaction(
                parties,
                accounts,
                dt.date(2026, 6, 29),
                "Invoice",
                "Bonus",
                Decimal("123.45"),
                ledger.provider_share(Decimal("123.45")),
                description="Bonus: posted by the test",
            )
            earlier = ledger.external_transaction(
                buyer, dt.date(2026, 6, 28), "Payment", "Payment", Decimal("1000.00"), "posted by the test"
            )
            references = iter(range(990_000_000, 990_000_100))
            posted = ledger.post(
                session.connection(),
                [later, earlier],
                first_transaction_ref=970_000_000,
                next_reference=lambda: next(references),
                created_at=lambda day: dt.datetime.combine(day, dt.time(6), dt.UTC),
            )
        assert posted == 2
        with Session(engine) as session:
            rows = session.execute(
                sa.select(LedgerEntry.transaction_ref, LedgerEntry.amount, LedgerEntry.description)
                .where(LedgerEntry.transaction_ref >= 970_000_000)
                .order_by(LedgerEntry.reference)
            ).all()
            # The earlier day is numbered first, whatever the order given.
            assert [(row.transaction_ref, row.description) for row in rows] == [
                (970_000_000, "posted by the test"),
                (970_000_001, "Bonus: posted by the test"),
                (970_000_001, "Bonus: posted by the test"),
                (970_000_001, "Bonus: posted by the test"),
            ]
            assert sum((Decimal(str(row.amount)) for row in rows[1:]), Decimal(0)) == 0
            # The buyer team's billings show the bonus the same day: the buyer's leg, a debit.
            owner = session.scalars(sa.select(User).where(User.uid == "mhale")).one()
        with UnitOfWork(engine) as work:
            table = run_financial_report(
                work,
                owner,
                FinancialEndpoint.BUYER_TEAM_BILLINGS,
                team.team_id,
                "SELECT amount WHERE description = 'Bonus: posted by the test'",
                timeout=30,
            )
        assert [Decimal(str(row[0])) for row in table.rows] == [Decimal("-123.45")]
    finally:
        engine.dispose()
