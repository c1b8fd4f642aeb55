"""The cluster guard: persons that do not swallow family members.

Pairs can each be right while the chain they form is wrong: mother ~ daughter through a shared phone and
e-mail, father ~ son through the same name at the same door. Plain connected components over the merged
pairs would make one person of a household. So the guard looks at clusters, not only pairs.

Two records *conflict* (are two different people, whatever the pair scores say) when:

- both first names are known and they are not compatible: compatible names are equal, nicknames of one
  another (many-to-many: SANDY is ALEXANDRA or CASSANDRA), an initial and a name it starts, a name
  cut short (JENN / JENNIFER: one the start of the other, four letters or more; STEPHEN and STEPHANIE
  are two people), one typing slip apart (a letter dropped, doubled or two swapped in names of 3+ letters;
  one replaced in names of 5+ letters: JOHN and JOAN stay two people; any one slip when the rarer spelling
  is a misspelling: seen in at most a twentieth as many records as the other, JISE beside JOSE), or first
  and last name swapped.
  Reason "different first names and birth dates" when both birth dates are known and not close (close:
  equal, two of year, month and day agree, or day and month swapped), else "different first names"
  (twins share a birth date, and a chain through a record without one is no evidence);
- the first names are the same (or nicknames) and the birth dates, both known and not close, are 15 to 60
  years apart: "same first name, birth dates a generation apart" (father and son; a same-name pair 70 years
  apart is more likely one person with a mistyped birth date than a grandfather and grandson);
- the first names are the same, the birth dates, both known and not close, less than 15 years apart, and
  the two records are not at one street line: "same first name, birth dates not close (namesakes)" (two
  April Williamsons born 1997 and 2004 in two towns; at one door it is more likely a mistyped birth date);
- both carry a generational suffix and they differ (JR / SR);
- an operator rejected the pair (cannot-link): "kept apart by an operator".

Clustering: plain connected components first (cheap); only the components that hold a conflicting pair are
rebuilt, with a constrained Borůvka in SQL. Each round every cluster takes its best link (accepted decisions
first, then by probability); links whose two clusters conflict are refused; the best links form trees,
and a tree whose clusters hold no conflict merges whole, else only its root pair (two clusters whose best
link is the same one). A refused link is *held* (with its reason) for review; an accepted
decision (must-link) passes the guard, never a cannot-link. Rounds are few (clusters merge pairwise, and
only conflicting components take part), each a handful of set-based statements.
"""

from __future__ import annotations

import duckdb

from workbench.store.sql import run, scalar

GENERATIONS = ("JR", "SR", "II", "III", "IV")
GENERATION_YEARS = (15, 60)  # same first name, birth dates this many years apart: parent and child
NAMES_WITHOUT_DOB = True  # different first names conflict also when a birth date is missing
MAX_ROUNDS = 200  # links still unsettled after this many rounds are held for review

HELD_APART = "kept apart by an operator"
HELD_NAMES = "different first names and birth dates"
HELD_FIRST = "different first names"
HELD_GENERATION = "same first name, birth dates a generation apart"
HELD_NAMESAKE = "same first name, birth dates not close (namesakes)"
HELD_SUFFIX = "generational suffixes differ (JR / SR)"
HELD_TANGLED = "too many links to settle automatically"

_GEN_LIST = "[" + ", ".join(f"'{g}'" for g in GENERATIONS) + "]"


def _tokens(col: str) -> str:
    return f"string_split(trim(coalesce({col}, '')), ' ')"


_FIRST = f"""nullif(list_filter({_tokens("r.first_name_key")},
    lambda t: t <> '' AND NOT list_contains({_GEN_LIST}, t))[1], '')"""


def profile_sql(records_where: str) -> str:
    """Per record (``node``): first given name ``fn``, every name it may stand for ``roots`` (looked up once
    per distinct name), surname ``ln`` and generational suffix ``gen`` apart, birth date ``dob``.
    ``records_where`` restricts the records (alias r)."""
    return f"""WITH p AS (
        SELECT r.record_id AS node, {_FIRST} AS fn,
            nullif(array_to_string(list_filter({_tokens("r.last_name_key")},
                lambda t: t <> '' AND NOT list_contains({_GEN_LIST}, t)), ' '), '') AS ln,
            r.birth_dt AS dob, r.addr_street AS street, r.zip5 AS zip,
            nullif(list_filter({_tokens("r.first_name_key || ' ' || coalesce(r.last_name_key, '')")},
                lambda t: list_contains({_GEN_LIST}, t))[1], '') AS gen
        FROM records r WHERE {records_where}),
    n AS (SELECT fn, wb_first_name_roots(fn) AS roots FROM (SELECT DISTINCT fn FROM p WHERE fn IS NOT NULL)),
    -- how many records of the whole file give each first name (the test of a rare misspelling)
    f AS (SELECT {_FIRST} AS fn, count(*) AS fn_n FROM records r WHERE r.first_name_key IS NOT NULL
          AND {_FIRST} IN (SELECT fn FROM n) GROUP BY ALL)
    SELECT p.node, p.fn, n.roots, p.ln, p.dob, p.gen, p.street, p.zip, coalesce(f.fn_n, 0) AS fn_n
    FROM p LEFT JOIN n USING (fn) LEFT JOIN f USING (fn)"""


_BOTH_FN = "(x.fn IS NOT NULL AND y.fn IS NOT NULL)"
_BOTH_DOB = "(x.dob IS NOT NULL AND y.dob IS NOT NULL)"
_DOB_CLOSE = (
    "(x.dob = y.dob OR ((year(x.dob) = year(y.dob))::INT + (month(x.dob) = month(y.dob))::INT "
    "+ (day(x.dob) = day(y.dob))::INT) >= 2 OR (year(x.dob) = year(y.dob) "
    "AND month(x.dob) = day(y.dob) AND day(x.dob) = month(y.dob)))"
)
# one typing slip: a letter dropped, doubled or two swapped (names of 3+ letters: SUSN, JAACK, IVNA), or one
# letter replaced in names of 5+ letters (a replaced letter in a short name is another name: JOHN / JOAN)
_SLIP = (
    "(least(length(x.fn), length(y.fn)) >= 3 AND damerau_levenshtein(x.fn, y.fn) <= 1 "
    "AND (length(x.fn) <> length(y.fn) OR least(length(x.fn), length(y.fn)) >= 5 "
    "OR (list_sort(string_split(x.fn, '')) = list_sort(string_split(y.fn, '')))))"
)
_SAME_NAME = "(x.fn = y.fn OR list_has_any(x.roots, y.roots))"
# a rare misspelling of a common name, one slip away (JISE beside 300 JOSEs, MADK beside MARK): the rarer
# spelling is in at most 1/TYPO_RATIO as many records as the commoner, which is in TYPO_MIN_COUNT or more
TYPO_RATIO = 20
TYPO_MIN_COUNT = 10
_RARE_SLIP = (f"(least(length(x.fn), length(y.fn)) >= 3 AND damerau_levenshtein(x.fn, y.fn) <= 1 "
              f"AND greatest(x.fn_n, y.fn_n) >= {TYPO_MIN_COUNT} AND least(x.fn_n, y.fn_n) * {TYPO_RATIO} "
              "<= greatest(x.fn_n, y.fn_n))")
_COMPATIBLE = (
    f"({_SAME_NAME} OR (length(x.fn) = 1 AND left(y.fn, 1) = x.fn) "
    "OR (length(y.fn) = 1 AND left(x.fn, 1) = y.fn) "
    f"OR {_SLIP} OR {_RARE_SLIP} "
    # a name cut short (JENN / JENNIFER, CHRISTOPH / CHRISTOPHER); a shared start alone is no evidence
    # (STEPHEN / STEPHANIE, MICHAEL / MICHELE are two people)
    "OR (least(length(x.fn), length(y.fn)) >= 4 AND (starts_with(x.fn, y.fn) OR starts_with(y.fn, x.fn))) "
    "OR (x.fn = y.ln AND x.ln = y.fn))"
)


def conflict_sql(guard: bool = True) -> str:
    """The reason two profiles (aliases x and y) are two people, or NULL. Without the guard: never."""
    if not guard:
        return "NULL::VARCHAR"
    far = f"{_BOTH_DOB} AND NOT {_DOB_CLOSE}"
    return f"""(CASE
        WHEN {_BOTH_FN} AND x.gen IS NOT NULL AND y.gen IS NOT NULL AND x.gen <> y.gen AND {_SAME_NAME}
            THEN '{HELD_SUFFIX}'
        WHEN {_BOTH_FN} AND {far} AND NOT {_COMPATIBLE} THEN '{HELD_NAMES}'
        WHEN {_BOTH_FN} AND NOT {_BOTH_DOB} AND NOT {_COMPATIBLE} AND {NAMES_WITHOUT_DOB} THEN '{HELD_FIRST}'
        WHEN {_BOTH_FN} AND {far} AND {_SAME_NAME}
            AND abs(year(x.dob) - year(y.dob)) BETWEEN {GENERATION_YEARS[0]} AND {GENERATION_YEARS[1]}
            THEN '{HELD_GENERATION}'
        WHEN {_BOTH_FN} AND {far} AND {_SAME_NAME} AND abs(year(x.dob) - year(y.dob)) < {GENERATION_YEARS[0]}
            AND NOT (x.street IS NOT NULL AND x.street = y.street AND x.zip IS NOT DISTINCT FROM y.zip)
            THEN '{HELD_NAMESAKE}'
        END)"""


def guard_on(conn: duckdb.DuckDBPyConnection) -> bool:
    value = scalar(conn, "SELECT value FROM settings WHERE key = 'identity.cluster_guard'")
    return (value or "on").lower() in ("on", "true", "1", "yes")


def guard_components(conn: duckdb.DuckDBPyConnection, guard: bool = True) -> int:
    """Rebuild the components of ``_cc(node, label)`` (over links ``_links(l, r, p, must)``) that hold a
    conflict, refusing the links that would join two people. Leaves ``_refused(l, r, status, reason)``
    (status ``held`` for the guard, ``conflict`` for a cannot-link) and returns how many links were refused."""
    run(conn, "CREATE OR REPLACE TEMP TABLE _refused (l BIGINT, r BIGINT, status VARCHAR, reason VARCHAR)")
    run(
        conn,
        """CREATE OR REPLACE TEMP TABLE _g_apart AS
        SELECT d.record_id_l AS a, d.record_id_r AS b FROM match_decisions d
        JOIN _cc x ON x.node = d.record_id_l JOIN _cc y ON y.node = d.record_id_r
        WHERE d.decision = 'reject' AND d.undone_at IS NULL AND x.label = y.label""",
    )
    run(
        conn,
        f"CREATE OR REPLACE TEMP TABLE _g_prof AS {profile_sql('r.record_id IN (SELECT node FROM _cc)')}",
    )
    # components holding a conflict: only those with two first names, birth dates or suffixes can, and their
    # members are compared within the component, each distinct profile once
    run(
        conn,
        f"""CREATE OR REPLACE TEMP TABLE _g_bad AS
        WITH m AS (SELECT c.label, x.* EXCLUDE (node) FROM _cc c JOIN _g_prof x USING (node)),
        maybe AS (SELECT label FROM m GROUP BY label
                  HAVING count(DISTINCT fn) > 1 OR count(DISTINCT dob) > 1 OR count(DISTINCT gen) > 1),
        d AS (SELECT DISTINCT * FROM m WHERE label IN (SELECT label FROM maybe))
        SELECT DISTINCT x.label FROM d x JOIN d y ON x.label = y.label
        WHERE {conflict_sql(guard)} IS NOT NULL
        UNION SELECT label FROM _cc WHERE node IN (SELECT a FROM _g_apart)""",
    )
    if not scalar(conn, "SELECT count(*) FROM _g_bad"):
        _drop(conn)
        return 0
    run(
        conn,
        """CREATE OR REPLACE TEMP TABLE _g_nodes AS
        SELECT node, node AS comp FROM _cc WHERE label IN (SELECT label FROM _g_bad)""",
    )
    run(
        conn,
        """CREATE OR REPLACE TEMP TABLE _g_edges AS
        SELECT l, r, p, must FROM _links WHERE l IN (SELECT node FROM _g_nodes)""",
    )
    reason = conflict_sql(guard)
    for _ in range(MAX_ROUNDS):
        run(
            conn,
            """CREATE OR REPLACE TEMP TABLE _g_cand AS
            SELECT e.l, e.r, e.p, e.must, a.comp AS ca, b.comp AS cb FROM _g_edges e
            JOIN _g_nodes a ON a.node = e.l JOIN _g_nodes b ON b.node = e.r WHERE a.comp <> b.comp""",
        )
        if not scalar(conn, "SELECT count(*) FROM _g_cand"):
            break
        # the verdict on each pair of clusters a link would join
        run(
            conn,
            f"""CREATE OR REPLACE TEMP TABLE _g_verdict AS
            SELECT c1, c2, bool_or(apart) AS apart, min(why) AS why FROM (
                SELECT cp.c1, cp.c2, (least(x.node, y.node), greatest(x.node, y.node)) IN
                    (SELECT (a, b) FROM _g_apart) AS apart, {reason} AS why
                FROM (SELECT DISTINCT least(ca, cb) AS c1, greatest(ca, cb) AS c2 FROM _g_cand) cp
                JOIN _g_nodes m1 ON m1.comp = cp.c1 JOIN _g_nodes m2 ON m2.comp = cp.c2
                JOIN _g_prof x ON x.node = m1.node JOIN _g_prof y ON y.node = m2.node)
            WHERE apart OR why IS NOT NULL GROUP BY c1, c2""",
        )
        run(
            conn,
            f"""INSERT INTO _refused
            SELECT c.l, c.r, CASE WHEN v.apart THEN 'conflict' ELSE 'held' END,
                CASE WHEN v.apart THEN '{HELD_APART}' ELSE v.why END
            FROM _g_cand c JOIN _g_verdict v ON v.c1 = least(c.ca, c.cb) AND v.c2 = greatest(c.ca, c.cb)
            WHERE v.apart OR NOT c.must""",
        )
        run(conn, "DELETE FROM _g_edges WHERE (l, r) IN (SELECT (l, r) FROM _refused)")
        # each cluster's best remaining link; two clusters whose best link is the same one merge
        run(
            conn,
            """CREATE OR REPLACE TEMP TABLE _g_best AS
            WITH ok AS (SELECT * FROM _g_cand WHERE (l, r) NOT IN (SELECT (l, r) FROM _refused)),
            ends AS (SELECT ca AS comp, cb AS other, l, r, p, must FROM ok
                     UNION ALL SELECT cb, ca, l, r, p, must FROM ok)
            SELECT comp, arg_min(other, (NOT must, -p, l, r)) AS other, arg_min((l, r), (NOT must, -p, l, r)) AS link
            FROM ends GROUP BY comp""",
        )
        _merge_trees(conn, reason)
        run(conn, "UPDATE _g_nodes SET comp = m.new FROM _g_merge m WHERE _g_nodes.comp = m.old")
        run(
            conn,
            """DELETE FROM _g_edges WHERE (l, r) IN (SELECT (e.l, e.r) FROM _g_edges e
            JOIN _g_nodes a ON a.node = e.l JOIN _g_nodes b ON b.node = e.r WHERE a.comp = b.comp)""",
        )
    else:  # links still unsettled: held for review rather than merged unchecked
        run(
            conn,
            f"""INSERT INTO _refused SELECT e.l, e.r, 'held', '{HELD_TANGLED}' FROM _g_edges e
            JOIN _g_nodes a ON a.node = e.l JOIN _g_nodes b ON b.node = e.r WHERE a.comp <> b.comp""",
        )
    run(conn, "UPDATE _cc SET label = g.comp FROM _g_nodes g WHERE _cc.node = g.node")
    refused = scalar(conn, "SELECT count(*) FROM _refused") or 0
    _drop(conn)
    return refused


def _merge_trees(conn: duckdb.DuckDBPyConnection, reason: str) -> None:
    """``_g_merge(old, new)`` from the best links ``_g_best``. They form trees, each ending in a pair of clusters
    whose best link is the same one (its smaller cluster is the root). A tree whose clusters hold no conflict
    merges whole (a star of many small clusters around one is settled in one round); in a tree that does,
    only the root pair merges (its link was checked)."""
    run(
        conn,
        """CREATE OR REPLACE TEMP TABLE _g_ptr AS
        SELECT a.comp, CASE WHEN b.comp IS NULL THEN a.other ELSE least(a.comp, a.other) END AS up,
            b.comp IS NOT NULL AS mutual
        FROM _g_best a LEFT JOIN _g_best b ON b.comp = a.other AND b.other = a.comp AND b.link = a.link""",
    )
    for _ in range(64):  # pointer jumping: every cluster points at its tree's root (depth halves each pass)
        if not scalar(
            conn, "SELECT count(*) FROM _g_ptr a JOIN _g_ptr q ON q.comp = a.up WHERE q.up <> q.comp"
        ):
            break
        run(
            conn,
            """UPDATE _g_ptr SET up = q.up FROM _g_ptr q
            WHERE q.comp = _g_ptr.up AND q.up <> q.comp""",
        )
    run(
        conn,
        f"""CREATE OR REPLACE TEMP TABLE _g_tree_bad AS
        SELECT DISTINCT t1.up AS root FROM _g_ptr t1 JOIN _g_ptr t2 ON t1.up = t2.up AND t1.comp < t2.comp
        JOIN _g_nodes m1 ON m1.comp = t1.comp JOIN _g_nodes m2 ON m2.comp = t2.comp
        JOIN _g_prof x ON x.node = m1.node JOIN _g_prof y ON y.node = m2.node
        WHERE {reason} IS NOT NULL
           OR (least(m1.node, m2.node), greatest(m1.node, m2.node)) IN (SELECT (a, b) FROM _g_apart)""",
    )
    run(
        conn,
        """CREATE OR REPLACE TEMP TABLE _g_merge AS
        SELECT comp AS old, up AS new FROM _g_ptr
        WHERE comp <> up AND (mutual OR up NOT IN (SELECT root FROM _g_tree_bad))""",
    )


def _drop(conn: duckdb.DuckDBPyConnection) -> None:
    for t in (
        "_g_apart",
        "_g_prof",
        "_g_bad",
        "_g_nodes",
        "_g_edges",
        "_g_cand",
        "_g_verdict",
        "_g_best",
        "_g_merge",
        "_g_ptr",
        "_g_tree_bad",
    ):
        run(conn, f"DROP TABLE IF EXISTS {t}")
