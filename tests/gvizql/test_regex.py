"""``matches``: Java regular expressions, the same answer from every executor, in linear time.

The tables are the spec: a Java pattern with texts it matches and texts it does
not (as java.util.regex ``String.matches`` answers), run in memory and on
SQLite, PostgreSQL and DuckDB; the constructs RE2 cannot run, each refused with
its message; the patterns Java rejects, which match nothing. Hypothesis then
draws patterns of the syntax Java and Python's ``re`` share and holds both
translations (RE2's and PostgreSQL's) to ``re``'s answers.
"""

from __future__ import annotations

import faulthandler
import re
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gvizql import run_query as memory_run_query
from gvizql.datatable import Column, DataTable, ValueType
from gvizql.errors import QueryError
from gvizql.regex import (
    MAX_NESTING,
    MAX_PATTERN_LENGTH,
    MAX_REPEAT,
    InvalidPattern,
    java_pattern,
)
from gvizql.sql import run_query as sql_run_query

# (pattern, texts it matches, texts it does not match)
TRANSLATIONS: list[tuple[str, list[str], list[str]]] = [
    # POSIX classes: US-ASCII only, as in Java
    (r"\p{Lower}+", ["abc"], ["aBc", "é"]),
    (r"\p{Upper}\p{Alpha}*", ["Ab", "A"], ["ab", "É"]),
    (r"\p{Punct}\p{Digit}\p{XDigit}", ["!1f"], ["!1g", "a1f"]),
    (r"\p{Alnum}+\p{Space}\p{Blank}", ["a1 \t", "x\n "], ["a1", "é \t"]),
    (r"\p{ASCII}\p{Graph}\p{Print}\p{Cntrl}", ["a! \x01"], ["é! \x01"]),
    # Unicode general categories
    (r"\p{L}+", ["Émile", "ab"], ["a1", ""]),
    (r"\p{Lu}\p{Ll}+", ["Émile"], ["émile"]),
    (r"\pL\P{L}", ["a1", "é!"], ["ab"]),
    (r"\p{IsL}\p{gc=Nd}\p{general_category=Zs}", ["é7 "], ["é7"]),
    (r"\p{IsLower}\p{GC=Lu}", ["aB"], ["ab"]),
    # predefined classes, ASCII as in Java (\w has no é)
    (r"\s\S\w\W\d\D", [" xa-1x"], ["xxa-1x"]),
    (r"\w+", ["abc_1"], ["é", "a-b"]),
    (r"a\h+b\v", ["a \xa0b\n", "a\u3000b\u2029"], ["a\nb\n"]),
    # quoting
    (r"\Qa.b*\E", ["a.b*"], ["axbb", "a.bbb"]),
    (r"x\Qa.b", ["xa.b"], ["xaxb"]),
    (r"[\Q]-\E]+", ["]-", "-"], ["a"]),
    # escaped characters
    (r"\x41\x{1F600}\0101\t\cA", ["A\U0001f600A\t\x01"], ["A\U0001f600A \x01"]),
    (r"\N{LATIN SMALL LETTER E WITH ACUTE}", ["é"], ["e"]),
    (r"a\.b\$\(\)\[\]\{\}\|\*\+\?\\\^", ["a.b$()[]{}|*+?\\^"], ["axb$()[]{}|*+?\\^"]),
    (r"}]", ["}]"], ["]"]),
    ("%_", ["%_"], ["ab", "%%"]),
    # case-insensitive: ASCII only unless (?u), as in Java
    (r"(?i)straße", ["STRAßE", "Straße"], ["STRASSE"]),
    (r"(?i)émile", ["éMILE"], ["ÉMILE"]),
    (r"(?iu)émile", ["ÉMILE", "émile"], ["emile"]),
    (r"a(?i)b(?-i)c", ["aBc"], ["ABc", "aBC"]),
    (r"a(?i:b)c", ["aBc", "abc"], ["aBC"]),
    (r"(?i)[a-c]+", ["AbC"], ["d"]),
    (r"(?i)[^a]", ["b"], ["A", "a"]),
    (r"(?i)\p{Lower}", ["A", "a"], ["1"]),
    (r"x(?i)y|z", ["xY", "Z"], ["XY"]),
    # . and the line terminators; DOTALL (?s) and UNIX_LINES (?d)
    (r"a.c", ["abc", "a\tc", "aéc"], ["a\nc", "a\rc", "a\u2028c", "a\x85c", "ac"]),
    (r"(?s)a.c", ["a\nc", "a\rc"], ["ac"]),
    (r"(?d)a.c", ["a\rc", "a\u2028c"], ["a\nc"]),
    (r"a\Rb", ["a\r\nb", "a\nb", "a\u2028b"], ["ab", "a\n\nb"]),
    # anchors and boundaries
    (r"a\z", ["a"], ["a\n"]),
    (r"\Aa\Z", ["a"], ["a\n"]),
    (r"a$", ["a"], ["a\n"]),
    (r"^a|b$", ["a", "b"], ["ab"]),
    (r"(?m)^a$\n^b$", ["a\nb"], ["a\nc", "ab"]),
    (r".*\bfoo\b.*", ["a foo b", "foo", "(foo)"], ["afoo b", "foob", "a_foo"]),
    (r".*\Bfoo.*", ["afoo"], ["a foo", "foo"]),
    (r"\b*a", ["a"], ["b"]),
    # comments mode (?x), in classes too
    ("(?x) a b  # a comment\n c", ["abc"], ["a bc", "ab"]),
    (r"(?x)[a b]+", ["ab"], [" "]),
    # classes: unions, intersections, ranges, negation, a leading ]
    (r"[a-z&&[^aeiou]]+", ["xyz"], ["xaz"]),
    (r"[a-c[x-z]]+", ["abxz"], ["d"]),
    (r"[\w&&\D]+", ["ab_"], ["a1"]),
    (r"[a-z&&b-d&&c-e]", ["c", "d"], ["b", "e"]),
    (r"[]a]+", ["]a"], ["b"]),
    (r"[^]a]", ["b", "\n"], ["]", "a"]),
    (r"[a-]+", ["a-"], ["b"]),
    (r"[é-ë]+", ["éêë"], ["e", "è"]),
    (r"[a-c-e]+", ["a-e"], ["d"]),
    (r"[&&a][b&&]", ["ab"], ["bb"]),
    (r"(?x)[a - c]+", ["abc"], ["d", "-"]),
    # groups and quantifiers
    (r"(?<year>\d{4})-\d{2}", ["2009-10"], ["209-10"]),
    (r"a{2,3}?b", ["aab", "aaab"], ["ab", "aaaab"]),
    (r"(ab){2}c{0}", ["abab"], ["ab", "ababc"]),
    (r"{2}x{1}{3}", ["x"], ["xxx", ""]),
    (r"a{300}", ["a" * 300], ["a" * 299, "a" * 301]),
    (r"a{250,260}", ["a" * 250, "a" * 260], ["a" * 249, "a" * 261]),
    (r"(^a)*b", ["ab", "b"], ["aab"]),
    (r"x|", ["x", ""], ["y"]),
    (r"", [""], ["a"]),
    # what looked catastrophic to a backtracking engine is plain here
    (r"(a+)+b", ["aab"], ["aa"]),
    (r"(.|.)*X", ["abX", "X"], ["ab"]),
]

# (pattern, the construct named in the refusal)
UNSUPPORTED: list[tuple[str, str]] = [
    (r"(a)\1", r"a backreference \1 at offset 3"),
    (r"(?<x>a)\k<x>", r"a named backreference \k<...> at offset 7"),
    (r"a(?=b).", "a lookahead (?=...) at offset 1"),
    (r"a(?!b).", "a negative lookahead (?!...) at offset 1"),
    (r"(?<=a)b", "a lookbehind (?<=...) at offset 0"),
    (r"(?<!a)b", "a negative lookbehind (?<!...) at offset 0"),
    (r"x(?>a+)b", "an atomic group (?>...) at offset 1"),
    (r"a*+b", "a possessive quantifier at offset 1"),
    (r"ab{2,3}+", "a possessive quantifier at offset 2"),
    (r"\X", r"a grapheme cluster \X at offset 0"),
    (r"a\b{g}", r"a grapheme cluster boundary \b{g} at offset 1"),
    (r"\p{IsLatin}", r"the Unicode script, block or property \p{IsLatin} at offset 0"),
    (r"x\p{InGreek}", r"the Unicode script, block or property \p{InGreek} at offset 1"),
    (r"\p{javaLowerCase}", r"the Unicode script, block or property \p{javaLowerCase} at offset 0"),
    (r"(?U)\w", "the U flag (UNICODE_CHARACTER_CLASS) at offset 2"),
    (r"(?ic)é", "the c flag (CANON_EQ) at offset 3"),
    (r"\p{sc=Greek}", r"the Unicode script, block or property \p{sc=Greek} at offset 0"),
    (r"a{1001}", f"a repetition count above {MAX_REPEAT} at offset 1"),
    (r"(a{10}){101}", f"repetitions nested to more than {MAX_REPEAT} in all at offset 2"),
    (
        "(" * (MAX_NESTING + 1) + ")" * (MAX_NESTING + 1),
        f"groups or classes nested more than {MAX_NESTING} deep at offset {MAX_NESTING}",
    ),
    (
        "x" * (MAX_PATTERN_LENGTH + 1),
        f"a pattern longer than {MAX_PATTERN_LENGTH} characters at offset {MAX_PATTERN_LENGTH}",
    ),
    (r"\p{L}{1000}", "the pattern is too large for RE2 (over 8 MiB compiled)"),
]

# Patterns java.util.regex rejects: they match nothing, as in the reference.
INVALID = [
    "(",
    "[",
    ")",
    "a)",
    "a**",
    "*a",
    "a{",
    "a{,2}",
    "a{3,2}",
    r"\y",
    r"\p{Foo}",
    "(?<1>x)",
    r"\x{110000}",
    r"\0",
    "(?z)",
    "[b-a]",
    "\\",
]


# --- executors -------------------------------------------------------------------------------

SCHEMA = [Column("c", ValueType.NUMBER), Column("t", ValueType.STRING)]
TEXTS = [(case, text) for case, (_, matching, other) in enumerate(TRANSLATIONS) for text in matching + other]


Answer = Callable[[str, list[tuple[int, str]]], DataTable]


@pytest.fixture(scope="module", params=["memory", "sqlite", "postgresql", "duckdb"])
def answer(request: pytest.FixtureRequest, new_sql_engine: Callable[[str], sa.Engine]) -> Iterator[Answer]:
    """``answer(tq, rows)``: the query over rows of (c, t), from one executor."""
    if request.param == "memory":
        yield lambda tq, rows: memory_run_query(DataTable(SCHEMA, rows), tq)
        return
    engine = new_sql_engine(request.param)
    tables: dict[tuple[tuple[int, str], ...], sa.Table] = {}

    def on_database(tq: str, rows: list[tuple[int, str]]) -> DataTable:
        key = tuple(rows)
        if key not in tables:
            table = sa.Table(
                f"texts_{len(tables)}", sa.MetaData(), sa.Column("c", sa.Integer), sa.Column("t", sa.String)
            )
            with engine.begin() as conn:
                table.create(conn)
                conn.execute(table.insert(), [{"c": c, "t": t} for c, t in rows])
            tables[key] = table
        with engine.connect() as conn:
            return sql_run_query(conn, tables[key], tq, schema=SCHEMA)

    yield on_database
    engine.dispose()


@pytest.mark.parametrize(
    ("case", "pattern", "matching"),
    [(i, p, m) for i, (p, m, _) in enumerate(TRANSLATIONS)],
    ids=[p for p, _, _ in TRANSLATIONS],
)
def test_java_patterns(answer: Answer, case: int, pattern: str, matching: list[str]) -> None:
    quote = "'" if "'" not in pattern else '"'
    tq = f"select t where c = {case} and t matches {quote}{pattern}{quote}"
    assert answer(tq, TEXTS).rows == [(t,) for t in matching]


@pytest.mark.parametrize(("pattern", "construct"), UNSUPPORTED, ids=[c for _, c in UNSUPPORTED])
def test_constructs_re2_cannot_run_are_refused(answer: Answer, pattern: str, construct: str) -> None:
    tq = f"select t where t matches '{pattern}'"
    shown = pattern if len(pattern) <= 40 else pattern[:40] + "..."
    with pytest.raises(QueryError) as caught:
        answer(tq, TEXTS)
    assert caught.value.reason == "invalid_query"
    assert str(caught.value) == f'The "matches" pattern "{shown}" cannot be run: {construct} (at position 25)'


@pytest.mark.parametrize("pattern", INVALID)
def test_patterns_java_rejects_match_nothing(answer: Answer, pattern: str) -> None:
    with pytest.raises(InvalidPattern):
        java_pattern(pattern)
    rows = [(0, "("), (0, pattern), (0, "")]
    assert answer(f"select t where t matches '{pattern}'", rows).rows == []
    assert answer(f"select t where not t matches '{pattern}'", rows).rows == [(t,) for _, t in rows]


@pytest.mark.parametrize(
    ("pattern", "text"),
    [(r"\u00e9", "é"), (r"\uD83D\uDE00", "\U0001f600"), (r"[\u0041-\u0043]+", "ABC")],
)
def test_unicode_escapes(pattern: str, text: str) -> None:
    # Checked on the pattern itself: a query's text has its \uXXXX decoded before the pattern is read.
    assert java_pattern(pattern).matches(text)


def test_a_pattern_held_in_a_column() -> None:
    # Translated per value (cached): a column of patterns, some Java rejects or RE2 cannot run.
    rows = [("abc", r"\p{Lower}+"), ("abc", "(a)\\1"), ("abc", "("), ("aBc", "(?i)ABC")]
    table = DataTable([Column("t", ValueType.STRING), Column("p", ValueType.STRING)], rows)
    assert memory_run_query(table, "select t, p where t matches p").rows == [rows[0], rows[3]]


# --- linear time ---------------------------------------------------------------------------------


@pytest.fixture
def watchdog() -> Iterator[None]:
    """Ends the test process, tracebacks dumped, if a test runs over two minutes.

    A backtracking regex holds the GIL inside C code, where no Python-level
    timeout can interrupt it: faulthandler's watchdog is a C thread. A regression
    then fails (the worker dies) instead of hanging the suite.
    """
    faulthandler.dump_traceback_later(120, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


LONG = 50_000
# Each answer would take a backtracking engine longer than the universe has been around.
CATASTROPHIC = [
    ("(.|.)*X", [("a" * LONG + "X", True), ("a" * LONG + "!", False)]),
    ("(a|a)*", [("a" * LONG, True), ("a" * LONG + "!", False)]),
    (r"(\w|\s)*", [("ab " * (LONG // 3), True), ("ab " * (LONG // 3) + "!", False)]),
    ("(a+)+b", [("a" * LONG + "b", True), ("a" * LONG, False)]),
]


@pytest.mark.parametrize(("pattern", "cases"), CATASTROPHIC, ids=[p for p, _ in CATASTROPHIC])
def test_catastrophic_patterns_run_in_linear_time(
    watchdog: None, answer: Answer, pattern: str, cases: list[tuple[str, bool]]
) -> None:
    # Many long rows, so a slow pattern would show on every executor.
    rows = [(i, text) for i, (text, _) in enumerate(cases * 20)]
    expected = [(i,) for i, (_, matched) in enumerate(cases * 20) if matched]
    assert answer(f"select c where t matches '{pattern}'", rows).rows == expected


# --- random patterns of the syntax Java and Python's re share --------------------------------

# On this subset (no $, no \r, ASCII classes and case folding) java.util.regex and
# Python's re with re.ASCII give the same answers: re is the oracle for both translations.
LITERALS = st.sampled_from(["a", "b", "é", "-", "1", r"\.", " "])
CLASS_ITEMS = st.sampled_from(["a", "b", "é", "a-c", r"\d", "_", "A-Z"])
CLASSES = st.builds(
    lambda negated, items: "[" + ("^" if negated else "") + "".join(items) + "]",
    st.booleans(),
    st.lists(CLASS_ITEMS, min_size=1, max_size=3),
)
QUANTIFIERS = st.sampled_from(["", "", "*", "+", "?", "{2}", "{1,3}", "{0,2}", "*?", "{2,}"])


def patterns(depth: int = 0) -> st.SearchStrategy[str]:
    atoms = [LITERALS, CLASSES, st.sampled_from([".", r"\d", r"\w", r"\s", r"\W"])]
    if depth < 2:
        atoms.append(
            st.builds(
                lambda kind, inner: f"({kind}{inner})",
                st.sampled_from(["", "?:", "?i:"]),
                st.deferred(lambda: patterns(depth + 1)),
            )
        )
    piece = st.builds(lambda atom, quantifier: atom + quantifier, st.one_of(*atoms), QUANTIFIERS)
    sequence = st.lists(piece, min_size=0, max_size=4).map("".join)
    return st.lists(sequence, min_size=1, max_size=3).map("|".join)


TEXTS_FOR_RANDOM = st.lists(st.text(alphabet="abAB é-1_.\n", max_size=6), min_size=1, max_size=6)


@pytest.fixture(scope="module")
def postgresql(new_sql_engine: Callable[[str], sa.Engine]) -> Iterator[sa.Connection]:
    engine = new_sql_engine("postgresql")
    with engine.connect() as connection:
        yield connection
    engine.dispose()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pattern=patterns(), texts=TEXTS_FOR_RANDOM)
def test_translations_agree_with_a_reference_engine(postgresql: sa.Connection, pattern: str, texts: list[str]) -> None:
    oracle = re.compile(pattern, re.ASCII)
    translated = java_pattern(pattern)
    expected = [oracle.fullmatch(t) is not None for t in texts]
    assert [translated.matches(t) for t in texts] == expected, translated.re2_syntax
    found = postgresql.execute(
        sa.text("SELECT u.t ~ :p FROM unnest(CAST(:texts AS text[])) WITH ORDINALITY AS u(t, i) ORDER BY u.i"),
        {"p": translated.postgres_syntax, "texts": texts},
    ).scalars()
    assert list(found) == expected, translated.postgres_syntax
