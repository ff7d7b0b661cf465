"""Search v2's ``q``: the grammar as tables of text -> tree and text -> error position (no database).

The trees are written with the ``search.syntax`` nodes (positions are not
compared); the errors with the 0-based position the message names and a
part of the message. Then the v2 keys given on their own (``key_node``)
and the binding to typed conditions (``search.fields``), with an empty
vocabulary where no reference data is needed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from odesk_server.search import fields
from odesk_server.search.query import AllOf, AnyOf, Between, Kind, Not, Nothing, OneOf, Text, Unknown
from odesk_server.search.syntax import MAX_CLAUSES, MAX_DEPTH, MAX_LENGTH, And, Or, QuerySyntaxError, Range, Term, parse
from odesk_server.search.syntax import Not as NotNode

T = Term

TREES = [
    ("python", T("python")),
    ("  python  ", T("python")),
    ('"web design"', T("web design", phrase=True)),
    ("title:php", T("php", "title")),
    ('category:"Web Development"', T("Web Development", "category", phrase=True)),
    ("python django", And((T("python"), T("django")))),
    ("python AND django", And((T("python"), T("django")))),
    ("python && django", And((T("python"), T("django")))),
    ("python OR django", Or((T("python"), T("django")))),
    ("python || django", Or((T("python"), T("django")))),
    ("NOT python", NotNode(T("python"))),
    ("!python", NotNode(T("python"))),
    ("-python", NotNode(T("python"))),
    ("+python -django", And((T("python"), NotNode(T("django"))))),
    ("skills:python AND NOT title:manager", And((T("python", "skills"), NotNode(T("manager", "title"))))),
    # NOT binds tighter than AND, AND tighter than OR
    ("a OR b AND c", Or((T("a"), And((T("b"), T("c")))))),
    ("a b OR c", Or((And((T("a"), T("b"))), T("c")))),
    ("NOT a AND b", And((NotNode(T("a")), T("b")))),
    ("(a OR b) c", And((Or((T("a"), T("b"))), T("c")))),
    ("a AND b AND c", And((T("a"), T("b"), T("c")))),
    ("a OR (b OR c)", Or((T("a"), T("b"), T("c")))),
    # a field's group gives the field to the words inside that name none
    ("title:(php OR python)", Or((T("php", "title"), T("python", "title")))),
    ("title:(php skills:sql)", And((T("php", "title"), T("sql", "skills")))),
    ("title:(NOT manager)", NotNode(T("manager", "title"))),
    # comma lists are ORs
    ("skills:python,django", Or((T("python", "skills"), T("django", "skills")))),
    ('skills:"ruby on rails",php', Or((T("ruby on rails", "skills", True), T("php", "skills")))),
    ("python,django", Or((T("python"), T("django")))),
    ("feedback:3,4", Or((T("3", "feedback"), T("4", "feedback")))),
    # ranges
    ("feedback:[3 TO 4]", Range("feedback", "3", "4")),
    ("rate:{10 TO 20}", Range("rate", "10", "20", include_low=False, include_high=False)),
    ("rate:[10 TO *]", Range("rate", "10", None)),
    ("rate:[* TO 20}", Range("rate", None, "20", include_high=False)),
    ('last_activity:["2013-01-04" TO *]', Range("last_activity", "2013-01-04", None)),
    ("last_activity:[2013-01-04T00:00:00.000Z TO *]", Range("last_activity", "2013-01-04T00:00:00.000Z", None)),
    # what a word may hold
    ("last_activity:2013-01-04T00:00:00.000Z", T("2013-01-04T00:00:00.000Z", "last_activity")),
    ("c++ node.js c# asp.net", And((T("c++"), T("node.js"), T("c#"), T("asp.net")))),
    ("ruby-on-rails", T("ruby-on-rails")),
    (r"a\:b", T("a:b")),
    (r'"say \"hi\""', T('say "hi"', phrase=True)),
    ("posted_since:-1", T("-1", "posted_since")),
    # operators are upper case: lower case ones are words; so is a word that starts like one
    ("python and django", And((T("python"), T("and"), T("django")))),
    ("ANDROID ORACLE NOTE", And((T("ANDROID"), T("ORACLE"), T("NOTE")))),
    ('"AND"', T("AND", phrase=True)),
    ("", None),
    ("   ", None),
]


@pytest.mark.parametrize(("text", "tree"), TREES, ids=[text or "blank" for text, _tree in TREES])
def test_query_text_to_tree(text: str, tree) -> None:
    assert parse(text) == tree


ERRORS = [
    ("python AND", 10, "Unexpected end of query"),
    ("python OR", 9, "Unexpected end of query"),
    ("NOT", 3, "Unexpected end of query"),
    ("(python", 7, "Unexpected end of query"),
    ("python)", 6, "Unexpected ')'"),
    ("title:", 6, "Unexpected end of query"),
    ("title: ", 7, "Unexpected end of query"),
    ("AND python", 0, "Unexpected 'AND'"),
    ("python AND OR django", 11, "Unexpected 'OR'"),
    ("NOT AND", 4, "Unexpected 'AND'"),
    ("title:TO", 6, "Unexpected 'TO'"),
    ('"unclosed', 0, "a quote is not closed"),
    ('title:"unclosed', 6, "a quote is not closed"),
    ("pyth*", 4, "wildcards"),
    ("pyth?n", 4, "wildcards"),
    ("python^2", 6, "boosts"),
    ("python~2", 6, "fuzzy"),
    ('"web design"~3', 12, "proximity"),
    ("rate:[10 TO 20", 14, "Unexpected end of query"),
    ("rate:[10 20]", 9, "Unexpected '20'"),
    ("rate:[10 TO]", 11, "Unexpected ']'"),
    ("[10 TO 20]", 0, "Unexpected '['"),
    ("rate:[1 TO 2*]", 12, "wildcards"),
    ("a,,b", 2, "Unexpected"),
    ("title:(php", 10, "Unexpected end of query"),
    ("()", 1, "Unexpected ')'"),
    ("x" * (MAX_LENGTH + 1), MAX_LENGTH, f"longer than {MAX_LENGTH}"),
    (" ".join(["w"] * (MAX_CLAUSES + 1)), 2 * MAX_CLAUSES, f"more than {MAX_CLAUSES} words"),
    ("NOT " * (MAX_DEPTH + 1) + "w", 4, f"deeper than {MAX_DEPTH}"),
]


@pytest.mark.parametrize(("text", "position", "message"), ERRORS, ids=[text[:30] for text, *_ in ERRORS])
def test_malformed_query_names_its_position(text: str, position: int, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(text)
    assert caught.value.position == position
    assert message in caught.value.message
    assert f"position {position}" in caught.value.message


def test_deep_parentheses_alone_are_no_nesting() -> None:
    # Parentheses make no node; the parse itself is iterative (LALR).
    assert parse("(" * 200 + "python" + ")" * 200) == T("python")


def test_positions_point_at_each_clause() -> None:
    tree = parse('python AND NOT title:manager OR rate:[10 TO x] "web design"')
    assert isinstance(tree, Or)
    left, right = tree.operands
    assert isinstance(left, And) and isinstance(right, And)
    assert [node.pos for node in left.operands] == [0, 11]
    assert left.operands[1].operand.pos == 15  # type: ignore[union-attr]
    rate, phrase = right.operands
    assert isinstance(rate, Range) and (rate.pos, rate.low_pos, rate.high_pos) == (32, 38, 44)
    assert phrase.pos == 47


# --------------------------------------------------------------------------
# v2 keys given on their own

KEYS = [
    ("feedback", "4", T("4", "feedback")),
    ("feedback", "3,4", Or((T("3", "feedback"), T("4", "feedback")))),
    ("feedback", " [3 TO 4] ", Range("feedback", "3", "4")),
    ("rate", "{20 TO 40]", Range("rate", "20", "40", include_low=False)),
    ("title", "web design", T("web design", "title")),
    ("title", '"web design"', T("web design", "title", phrase=True)),
    ("skills", 'python, "ruby on rails"', Or((T("python", "skills"), T("ruby on rails", "skills", True)))),
    ("last_activity", "2013-01-04T00:00:00.000Z", T("2013-01-04T00:00:00.000Z", "last_activity")),
    ("job_status", "", None),
    ("job_status", " , ", None),
]


@pytest.mark.parametrize(("key", "value", "tree"), KEYS)
def test_a_v2_key_reads_as_its_field(key: str, value: str, tree) -> None:
    assert fields.key_node(key, value) == tree


@pytest.mark.parametrize(
    ("key", "value", "position", "message"),
    [
        ("rate", "[20 TO", 6, "Unexpected end of query"),
        ("rate", "  [20 TO 30", 11, "Unexpected end of query"),
        ("rate", "[1 TO 2] OR x", 0, "takes one range"),
    ],
)
def test_a_bad_key_value_names_its_position(key: str, value: str, position: int, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        fields.key_node(key, value)
    assert (caught.value.position, message in caught.value.message) == (position, True)


# --------------------------------------------------------------------------
# Binding to typed conditions

TODAY = dt.date(2026, 6, 30)
VOCABULARY = fields.Vocabulary(
    categories={"web_development": frozenset({1}), "web_mobile_software_dev": frozenset({11})},
    subcategories={"web_programming": frozenset({102})},
    regions={"western_europe": frozenset({10, 1001, 1002}), "germany": frozenset({1001})},
    tests=((1, frozenset({"odesk", "readiness", "test"})), (1101, frozenset({"php", "5", "test"}))),
)


def _job(text: str):
    tree = parse(text)
    assert tree is not None
    return fields.bind(tree, Kind.JOBS, fields.fields_for(Kind.JOBS, VOCABULARY, TODAY))


def _provider(text: str):
    tree = parse(text)
    assert tree is not None
    return fields.bind(tree, Kind.PROVIDERS, fields.fields_for(Kind.PROVIDERS, VOCABULARY, TODAY))


D = Decimal
MIDNIGHT = dt.datetime(2026, 6, 30, tzinfo=dt.UTC)

BOUND_JOBS = [
    ("python", Text("python")),
    ('"web shop"', Text("web shop", phrase=True)),
    ("title:php", Text("php", frozenset({"title"}))),
    ("skills:ruby-on-rails", Text("ruby-on-rails", frozenset({"skills"}))),
    ("python -title:manager", AllOf((Text("python"), Not(Text("manager", frozenset({"title"})))))),
    ("budget:500", Between("budget", D(500), D(501), include_high=False)),
    ("budget:99.5", Between("budget", D("99.5"), D("99.6"), include_high=False)),
    ("budget:[100 TO 1000]", Between("budget", D(100), D(1000))),
    ("budget:{100 TO *]", Between("budget", D(100), None, include_low=False)),
    ("client_hires:3", Between("client_hires", D(3), D(3))),
    ("client_feedback:None", Unknown("client_feedback")),
    (
        "client_feedback:4,5",
        AnyOf(
            (
                Between("client_feedback", D(4), D(5), include_high=False),
                Between("client_feedback", D(5), D(6), include_high=False),
            )
        ),
    ),
    ("job_type:fixed", OneOf("job_type", frozenset({"fixed-price"}))),
    ("job_type:Hourly", OneOf("job_type", frozenset({"hourly"}))),
    ("job_status:completed", OneOf("job_status", frozenset({"filled"}))),
    ("duration:month", Between("duration", D(40), D(160), include_low=False)),
    ("duration:ongoing", Between("duration", D(1040), None, include_low=False)),
    ("category:web_development", OneOf("category", frozenset({1}))),
    ('category:"Web, Mobile & Software Dev"', OneOf("category", frozenset({11}))),
    ('subcategory:"Web Programming"', OneOf("subcategory", frozenset({102}))),
    ("posted_since:7", Between("created", MIDNIGHT - dt.timedelta(days=7), None)),
    ("workload:full_time", Nothing("workload full_time: kept by no document here")),
    ("groups:anything", Nothing("groups: this server keeps no groups")),
    ("tests:php", Nothing("tests: a job records no tests")),
]


@pytest.mark.parametrize(("text", "condition"), BOUND_JOBS, ids=[text for text, _c in BOUND_JOBS])
def test_job_fields_bind_to_typed_conditions(text: str, condition) -> None:
    assert _job(text) == condition


BOUND_PROVIDERS = [
    (
        "skills:python AND NOT title:manager",
        AllOf((Text("python", frozenset({"skills"})), Not(Text("manager", frozenset({"title"}))))),
    ),
    ("region:germany", OneOf("region", frozenset({1001}))),
    ('region:"Western Europe"', OneOf("region", frozenset({10, 1001, 1002}))),
    ("feedback:[4.5 TO 5]", Between("feedback", D("4.5"), D(5))),
    ("hours:[100 TO *]", Between("hours", D(100), None)),
    ("english_skill:4", Between("english_skill", D(4), D(4))),
    ("last_activity:[2026-01-01 TO *]", Between("last_activity", dt.date(2026, 1, 1), None)),
    ("last_activity:2013-01-04T00:00:00.000Z", Between("last_activity", dt.date(2013, 1, 4), dt.date(2013, 1, 4))),
    ("tests:php", OneOf("test", frozenset({1101}))),
    ("tests_top_10:php", OneOf("test_top_10", frozenset({1101}))),
    ("tests:cobol", Nothing("tests: no test is named 'cobol'")),
    ("is_odesk_ready:1", OneOf("test", frozenset({1}))),
    ("is_odesk_ready:0", Not(OneOf("test", frozenset({1})))),
    ("profile_type:Agency", OneOf("profile_type", frozenset({"agency"}))),
]


@pytest.mark.parametrize(("text", "condition"), BOUND_PROVIDERS, ids=[text for text, _c in BOUND_PROVIDERS])
def test_provider_fields_bind_to_typed_conditions(text: str, condition) -> None:
    assert _provider(text) == condition


BIND_ERRORS = [
    (Kind.JOBS, "foo:bar", 0, "Unknown field 'foo' for jobs"),
    (Kind.JOBS, "python AND region:x", 11, "Unknown field 'region' for jobs"),
    (Kind.PROVIDERS, "budget:10", 0, "Unknown field 'budget' for providers"),
    (Kind.JOBS, "budget:cheap", 0, "budget takes a number, got 'cheap'"),
    (Kind.JOBS, "budget:[100 TO lots]", 15, "budget takes a number, got 'lots'"),
    (Kind.JOBS, "budget:[NaN TO 5]", 8, "budget takes a number"),
    (Kind.JOBS, "client_hires:2.5", 0, "whole number"),
    (Kind.JOBS, "job_type:weekly", 0, "job_type takes one of"),
    (Kind.JOBS, "duration:year", 0, "duration takes one of week, month"),
    (Kind.JOBS, "job_status:pending", 0, "job_status takes one of"),
    (Kind.JOBS, "category:nowhere", 0, "No category 'nowhere'"),
    (Kind.JOBS, "title:[a TO b]", 0, "title takes words, not a range"),
    (Kind.JOBS, "@@", 0, "no letter or digit"),
    (Kind.JOBS, "python title:--", 7, "no letter or digit"),
    (Kind.JOBS, "posted_since:yesterday", 0, "posted_since takes a number"),
    (Kind.JOBS, "posted_since:1.5", 0, "whole number of days"),
    (Kind.PROVIDERS, "english_skill:7", 0, "from 0 to 5"),
    (Kind.PROVIDERS, "last_activity:soon", 0, "takes a day"),
    (Kind.PROVIDERS, "last_activity:[2026-01-01 TO later]", 29, "takes a day"),
    (Kind.PROVIDERS, "is_odesk_ready:maybe", 0, "1 or 0"),
    (Kind.PROVIDERS, "region:Atlantis", 0, "No region 'Atlantis'"),
]


@pytest.mark.parametrize(
    ("kind", "text", "position", "message"), BIND_ERRORS, ids=[text for _k, text, *_ in BIND_ERRORS]
)
def test_a_value_a_field_cannot_take_names_its_position(kind: Kind, text: str, position: int, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        _job(text) if kind is Kind.JOBS else _provider(text)
    assert message in caught.value.message
    assert caught.value.position == position
    assert f"at position {position}" in caught.value.message


def test_every_documented_v2_key_is_a_field() -> None:
    # spec/api-surface.md 5.10, minus the keys that are not filters (include_entities, sort).
    assert set(fields.field_names(Kind.PROVIDERS)) == {
        "title", "skills", "groups", "tests", "tests_top_10", "tests_top_30", "category", "subcategory",
        "region", "feedback", "rate", "hours", "recent_hours", "last_activity", "english_skill",
        "is_odesk_ready", "profile_type",
    }  # fmt: skip
    assert set(fields.field_names(Kind.JOBS)) == {
        "title", "skills", "groups", "tests", "tests_top_10", "tests_top_30", "category", "subcategory",
        "job_type", "duration", "workload", "client_feedback", "client_hires", "budget", "job_status",
        "posted_since",
    }  # fmt: skip
