"""Connected components in DuckDB (set-based label propagation with pointer jumping), and stable ids."""

from __future__ import annotations

import duckdb

from workbench.store.sql import run, scalar

MAX_ROUNDS = 60


def connected_components(conn: duckdb.DuckDBPyConnection, nodes_sql: str, edges_sql: str, out: str) -> int:
    """Label every node of ``nodes_sql`` (column ``node``) with the smallest node id of its component over
    the undirected edges ``edges_sql`` (columns ``a``, ``b``; their ends are nodes too). Writes temp table
    ``out(node, label)`` for the nodes of ``nodes_sql``; returns the number of rounds it took."""
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _cc_e AS
        SELECT a, b FROM ({edges_sql}) WHERE a <> b
        UNION SELECT b, a FROM ({edges_sql}) WHERE a <> b""")
    # start from each node's smallest neighbour: most components are stars and settle at once
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _cc_l AS
        SELECT n.node, least(n.node, min(e.b)) AS label
        FROM (SELECT node FROM ({nodes_sql}) UNION SELECT a FROM _cc_e) n LEFT JOIN _cc_e e ON e.a = n.node
        GROUP BY n.node""")
    rounds = 0
    while rounds < MAX_ROUNDS:
        rounds += 1
        # a node takes the smallest label among itself and its neighbours, then the label of its label
        run(conn, """CREATE OR REPLACE TEMP TABLE _cc_n AS
            WITH step AS (
                SELECT l.node, least(l.label, min(n.label)) AS label
                FROM _cc_l l JOIN _cc_e e ON e.a = l.node JOIN _cc_l n ON n.node = e.b
                GROUP BY l.node, l.label)
            SELECT l.node, least(coalesce(s.label, l.label), coalesce(j.label, l.label)) AS label
            FROM _cc_l l LEFT JOIN step s USING (node) LEFT JOIN _cc_l j ON j.node = coalesce(s.label, l.label)""")
        changed = scalar(conn, "SELECT count(*) FROM _cc_n n JOIN _cc_l l USING (node) WHERE n.label <> l.label")
        run(conn, "DROP TABLE _cc_l")
        run(conn, "ALTER TABLE _cc_n RENAME TO _cc_l")
        if not changed:
            break
    run(conn, f"CREATE OR REPLACE TEMP TABLE {out} AS SELECT node, label FROM _cc_l WHERE node IN "
              f"(SELECT node FROM ({nodes_sql}))")
    run(conn, "DROP TABLE IF EXISTS _cc_l")
    run(conn, "DROP TABLE IF EXISTS _cc_e")
    return rounds


def stable_ids(conn: duckdb.DuckDBPyConnection, groups: str, out: str) -> tuple[int, int]:
    """Give each group of ``groups(person_id, label)`` a household id: the previous id of its largest
    part (counted in people records, from ``household_records``), when that old household's largest part
    is this group; otherwise a new id. Writes ``out(label, household_id, kept)``. Returns (kept, new)."""
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _sid_overlap AS
        SELECT g.label, hr.household_id AS old, count(*) AS n
        FROM {groups} g JOIN person_records pr USING (person_id) JOIN household_records hr USING (record_id)
        GROUP BY ALL""")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE {out} AS
        WITH claim AS (  -- each old household goes to the group holding most of it
            SELECT old, arg_max(label, struct_pack(n := n, l := -label)) AS label FROM _sid_overlap GROUP BY old
        ), pick AS (  -- each group keeps the old id it holds most of, among those it claimed
            SELECT o.label, arg_max(o.old, struct_pack(n := o.n, o := -o.old)) AS household_id
            FROM _sid_overlap o JOIN claim c USING (old, label) GROUP BY o.label
        )
        SELECT g.label, p.household_id, p.household_id IS NOT NULL AS kept
        FROM (SELECT DISTINCT label FROM {groups}) g LEFT JOIN pick p USING (label)""")
    # new ids from the sequence, handed out in label order (so a rebuild gives the same ids)
    run(conn, f"CREATE OR REPLACE TEMP TABLE _sid_new AS SELECT label, row_number() OVER (ORDER BY label) AS rn "
              f"FROM {out} WHERE household_id IS NULL")
    run(conn, "CREATE OR REPLACE TEMP TABLE _sid_ids AS SELECT nextval('household_id_seq') AS id FROM _sid_new")
    run(conn, f"""UPDATE {out} SET household_id = x.id FROM (
            SELECT n.label, i.id FROM _sid_new n
            JOIN (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM _sid_ids) i USING (rn)) x
        WHERE {out}.label = x.label""")
    run(conn, "DROP TABLE IF EXISTS _sid_new")
    run(conn, "DROP TABLE IF EXISTS _sid_ids")
    counts = conn.execute(f"SELECT count(*) FILTER (WHERE kept), count(*) FILTER (WHERE NOT kept) "
                          f"FROM {out}").fetchall()[0]
    run(conn, "DROP TABLE IF EXISTS _sid_overlap")
    return int(counts[0]), int(counts[1])
