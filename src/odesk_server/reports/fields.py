"""The field catalogue of the GDS reports (``shared/spec/gds-data-model.md``).

One ``ReportField`` per name a query may use, with its GDS type and the
money group it belongs to; ``TIME_REPORT_FIELDS`` and
``FINANCIAL_REPORT_FIELDS`` list them in the documentation's order, which is
also the column order of ``SELECT *``.  Each endpoint then names the subset it
exposes (``visible_time_fields`` and ``visible_financial_fields``), and
``SUPERVISOR_FIELDS`` the time report fields only a supervisor may query on a
team report; the SQL behind every field lives in ``odesk_server.reports.scopes``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from gvizql.datatable import Column, ValueType


class Money(StrEnum):
    """Which side of the money a numeric field shows (``NONE`` for everything else)."""

    NONE = "none"
    CHARGES = "charges"  # what the buyer is billed
    EARNINGS = "earnings"  # what the provider receives (charges less the platform fee)
    AMOUNT = "amount"  # a ledger amount (financial reports)


@dataclass(frozen=True, slots=True)
class ReportField:
    """A column a report may expose: its query name, GDS type and money group.

    The label is the field name itself, as oDesk labelled its columns.
    """

    name: str
    type: ValueType
    money: Money = Money.NONE
    description: str = ""

    def column(self) -> Column:
        """The gvizql column of this field (id and label are the field name)."""
        return Column(self.name, self.type, self.name)


S, N, D = ValueType.STRING, ValueType.NUMBER, ValueType.DATE

TIME_REPORT_FIELDS: tuple[ReportField, ...] = (
    ReportField("worked_on", D, description="day the work was done"),
    ReportField("week_worked_on", D, description="Monday of the week of worked_on"),
    # oDesk typed these two as dates; we give the first day of the month / year.
    ReportField("month_worked_on", D, description="first day of the month of worked_on"),
    ReportField("year_worked_on", D, description="1 January of the year of worked_on"),
    ReportField("provider_id", S, description="the provider's uid"),
    ReportField("provider_name", S, description="the provider's full name"),
    ReportField("team_id", S, description="the team the time was billed to"),
    ReportField("team_name", S, description="name of that team"),
    ReportField("assignment_team_id", S, description="the hiring team of the contract"),
    ReportField("assignment_name", S, description="title of the contract"),
    ReportField("assignment_ref", S, description="reference of the contract"),
    ReportField("agency_id", S, description="id of the agency team the provider works through"),
    ReportField("agency_name", S, description="name of the agency"),
    ReportField("company_id", S, description="id of the buyer company"),
    ReportField("agency_company_id", S, description="id of the agency's company"),
    ReportField("task", S, description="task code"),
    ReportField("memo", S, description="memo the provider logged"),
    ReportField("hours", N, description="hours worked (online + offline)"),
    ReportField("charges", N, Money.CHARGES, "amount charged to the buyer"),
    ReportField("earnings", N, Money.EARNINGS, "amount earned by the provider"),
    ReportField("hours_online", N, description="hours tracked online"),
    ReportField("charges_online", N, Money.CHARGES, "charges for online hours"),
    ReportField("earnings_online", N, Money.EARNINGS, "earnings for online hours"),
    ReportField("hours_offline", N, description="hours added offline"),
    ReportField("charges_offline", N, Money.CHARGES, "charges for offline hours"),
    ReportField("earnings_offline", N, Money.EARNINGS, "earnings for offline hours"),
)

# The supervisor rule (docs/permissions.md): the time report fields about a person.
# A team report query that reaches any of them (``SELECT *`` reaches them all) only
# covers the contracts of the teams the caller supervises.  A contract has exactly
# one provider, so its reference and its title single him out as his uid does.
SUPERVISOR_FIELDS = frozenset({"provider_id", "provider_name", "assignment_ref", "assignment_name"})

FINANCIAL_REPORT_FIELDS: tuple[ReportField, ...] = (
    ReportField("reference", S, description="reference of the ledger entry"),
    ReportField("date", D, description="date the transaction was created"),
    ReportField("date_due", D, description="date the transaction is due"),
    ReportField("assignment__reference", S, description="reference of the contract"),
    ReportField("assignment_name", S, description="title of the contract"),
    ReportField("accounting_entity__reference", S, description="reference of the account"),
    ReportField("accounting_entity_name", S, description="name of the account"),
    ReportField("buyer_company__reference", S),
    ReportField("buyer_company__id", S),
    ReportField("buyer_company_name", S),
    ReportField("buyer_team__reference", S),
    ReportField("buyer_team__id", S),
    ReportField("buyer_team_name", S),
    ReportField("provider_company__reference", S),
    ReportField("provider_company__id", S),
    ReportField("provider_company_name", S),
    ReportField("provider_team__reference", S),
    ReportField("provider_team__id", S),
    ReportField("provider_team_name", S),
    ReportField("provider__reference", S),
    ReportField("provider__id", S),
    ReportField("provider_name", S),
    ReportField("type", S, description="Invoice, Payment or Adjustment"),
    ReportField("subtype", S, description="Hourly, Fixed Price, Bonus, ..."),
    ReportField("description", S),
    ReportField("comment", S),
    ReportField("memo", S),
    ReportField("notes", S),
    ReportField("amount", N, Money.AMOUNT, "signed amount, from the account's point of view"),
    ReportField("po_number", S),
    # Filter names of the documentation (never in its field list); we make them
    # ordinary columns: the Monday of the week, the first day of the month / year.
    ReportField("week", D, description="Monday of the week of date"),
    ReportField("month", D, description="first day of the month of date"),
    ReportField("year", D, description="1 January of the year of date"),
)

TIME_FIELDS_BY_NAME = {f.name: f for f in TIME_REPORT_FIELDS}
FINANCIAL_FIELDS_BY_NAME = {f.name: f for f in FINANCIAL_REPORT_FIELDS}


class TimeEndpoint(StrEnum):
    """The four time report endpoints (each with and without ``/hours``)."""

    TEAM = "team"
    COMPANY = "company"
    AGENCY = "agency"
    PROVIDER = "provider"


# Fields an endpoint never exposes, whatever the caller (Upwork's "disallowed fields").
_TIME_HIDDEN: dict[TimeEndpoint, frozenset[str]] = {
    TimeEndpoint.TEAM: frozenset({"team_id", "team_name"}),
    TimeEndpoint.COMPANY: frozenset({"company_id"}),
    TimeEndpoint.AGENCY: frozenset({"agency_id", "agency_name", "agency_company_id"}),
    TimeEndpoint.PROVIDER: frozenset({"provider_id", "provider_name"}),
}

# The money group each full (not /hours) endpoint shows.  The provider report shows
# none: "No monetary fields, such as charges or earnings, are supported" (oDesk's
# documentation of it); a provider's money is in the financial reports.
_TIME_MONEY: dict[TimeEndpoint, frozenset[Money]] = {
    TimeEndpoint.TEAM: frozenset({Money.CHARGES}),
    TimeEndpoint.COMPANY: frozenset({Money.CHARGES}),
    TimeEndpoint.AGENCY: frozenset({Money.EARNINGS}),
    TimeEndpoint.PROVIDER: frozenset(),
}


def visible_time_fields(endpoint: TimeEndpoint, *, hours_only: bool) -> tuple[ReportField, ...]:
    """The fields a time report endpoint exposes, in catalogue order.

    ``hours_only`` is the ``/hours`` variant: every money field is hidden (the
    provider report hides them with or without it).
    """
    hidden = _TIME_HIDDEN[endpoint]
    money = frozenset() if hours_only else _TIME_MONEY[endpoint]
    return tuple(f for f in TIME_REPORT_FIELDS if f.name not in hidden and (f.money is Money.NONE or f.money in money))


class FinancialEndpoint(StrEnum):
    """The twelve financial report endpoints (``/gds/finreports/v2/...``)."""

    PROVIDER_BILLINGS = "providers/billings"
    PROVIDER_EARNINGS = "providers/earnings"
    PROVIDER_TEAM_BILLINGS = "provider_teams/billings"
    PROVIDER_TEAM_EARNINGS = "provider_teams/earnings"
    PROVIDER_COMPANY_BILLINGS = "provider_companies/billings"
    PROVIDER_COMPANY_EARNINGS = "provider_companies/earnings"
    BUYER_TEAM_BILLINGS = "buyer_teams/billings"
    BUYER_TEAM_EARNINGS = "buyer_teams/earnings"
    BUYER_COMPANY_BILLINGS = "buyer_companies/billings"
    BUYER_COMPANY_EARNINGS = "buyer_companies/earnings"
    FINANCIAL_ACCOUNT = "financial_accounts"
    FINANCIAL_ACCOUNT_OWNER = "financial_account_owner"

    @property
    def provider_side(self) -> bool:
        """True for the reports a provider, provider team or provider company runs."""
        return self.value.startswith("provider") or self is FinancialEndpoint.FINANCIAL_ACCOUNT_OWNER


# ``comment`` and ``po_number`` are the buyer's internal notes: hidden from every
# provider-side report (documented for F1, F2, F5; we extend it to F3, F4, F6, F12).
_BUYER_INTERNAL = frozenset({"comment", "po_number"})


def visible_financial_fields(endpoint: FinancialEndpoint) -> tuple[ReportField, ...]:
    """The fields a financial report endpoint exposes, in catalogue order."""
    hidden = _BUYER_INTERNAL if endpoint.provider_side else frozenset()
    return tuple(f for f in FINANCIAL_REPORT_FIELDS if f.name not in hidden)


def columns(fields: Iterable[ReportField]) -> list[Column]:
    """The gvizql schema of ``fields`` (what ``gvizql.sql.run_query`` gets as ``schema``)."""
    return [f.column() for f in fields]
