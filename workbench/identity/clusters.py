"""Clustering records into persons, honouring the operators' decisions, with person ids that stay put.

1. Links: merge candidates with status ``auto`` (and those the cluster guard held last time, to be judged
   again) plus accepted pairs (must-link), minus rejected pairs.
2. Connected components over the links (edges, not records) as a sparse graph (SciPy's csgraph), measured
   faster than SQL label propagation and than a union-find in Python.
3. The cluster guard (guard.py): a component that holds two people (different first names and birth dates,
   a generation apart, JR / SR, or a pair an operator rejected) is rebuilt in SQL rounds, refusing every
   link that would join them; refused links are ``held`` (with their reason) or ``conflict`` (cannot-link)
   and wait for review. Only such components are touched, so this stays small.
4. Person ids: each old person follows the component that holds most of its records; a component takes
   the id of the old person with most records there; a component left without one gets a new id. A person
   whose membership does not change keeps its id.
5. person_records rewritten for the records whose person changed; golden records refreshed for every
   person touched.

``cluster(conn, scope)`` does this for every record or only for the records of a ``scope`` table (the
quick, local re-clustering behind reject, undo and split in the review screen).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import duckdb

from workbench import clock
from workbench.identity import guard
from workbench.identity.golden import refresh_golden
from workbench.store.ids import reserve_ids
from workbench.store.sql import rows, run, scalar

ACTIVE = "undone_at IS NULL"
# Raise it when the clustering or the cluster guard's rules change: the next incremental match run then
# re-clusters every record instead of only the components its changes touch (see :func:`linked_scope`).
CLUSTER_VERSION = "1"
VERSION_KEY = "identity.cluster_version"


def cluster_version(conn: duckdb.DuckDBPyConnection) -> str:
    """What the persons of a clustering depend on besides the links: these rules and the guard setting."""
    return f"{CLUSTER_VERSION}|guard={'on' if guard.guard_on(conn) else 'off'}"


def clustered_with(conn: duckdb.DuckDBPyConnection) -> str | None:
    """The cluster version every person was last formed with (None: unknown, before version 1)."""
    return scalar(conn, "SELECT value FROM settings WHERE key = ?", [VERSION_KEY])


def mark_clustered(conn: duckdb.DuckDBPyConnection) -> None:
    run(conn, "DELETE FROM settings WHERE key = ?", [VERSION_KEY])
    run(conn, "INSERT INTO settings VALUES (?, ?)", [VERSION_KEY, cluster_version(conn)])


@dataclass
class Changes:
    persons_created: int = 0
    persons_merged: int = 0
    persons_split: int = 0
    records_moved: int = 0
    conflicts: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def cluster(conn: duckdb.DuckDBPyConnection, scope: str | None = None, golden_now: bool = True) -> Changes:
    """Re-cluster every record, or the records listed in table ``scope`` (column record_id). Golden records of
    the persons touched are refreshed now, or (``golden_now=False``, the quick review path) left in
    ``golden_pending`` for ``ensure_derived``."""
    _build_links(conn, scope)
    _components(conn)
    conflicts = guard.guard_components(conn, guard.guard_on(conn))
    _mark_refused(conn)
    in_scope = f"IN (SELECT record_id FROM {scope})" if scope else "IS NOT NULL"
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _comp AS
        SELECT r.record_id, coalesce(c.label, r.record_id) AS comp FROM records r
        LEFT JOIN _cc c ON c.node = r.record_id WHERE r.record_id {in_scope}""")
    changes = _assign_person_ids(conn, golden_now)
    changes.conflicts = conflicts
    for t in ("_links", "_cc", "_comp", "_refused"):
        run(conn, f"DROP TABLE IF EXISTS {t}")
    return changes


def linked_scope(conn: duckdb.DuckDBPyConnection, seeds: str, scope: str) -> int:
    """TEMP ``scope(record_id)``: the records whose person may change when the records of table ``seeds``
    (column record_id) changed: the seeds, every record of their persons, and every record linked to any of
    those (whole components of the link graph). Clustering only these gives what clustering everything
    gives: every other person is a component untouched by the change. Returns its size."""
    # every pair that is or may become a link (a conflict or a held pair is judged again), rejected ones too
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _links AS
        SELECT DISTINCT l, r FROM (
            SELECT record_id_l AS l, record_id_r AS r FROM match_pairs
            WHERE status IN ('auto', 'conflict') OR (status = 'held' AND held_by = 'cluster')
            UNION ALL
            SELECT record_id_l, record_id_r FROM match_decisions WHERE decision = 'accept' AND {ACTIVE})""")
    _components(conn)
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _scope_base AS
        SELECT record_id FROM {seeds}
        UNION SELECT record_id FROM person_records WHERE person_id IN
            (SELECT person_id FROM person_records WHERE record_id IN (SELECT record_id FROM {seeds}))""")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE {scope} AS
        SELECT record_id FROM _scope_base
        UNION SELECT node FROM _cc WHERE label IN (SELECT c.label FROM _cc c JOIN _scope_base b ON b.record_id = c.node)""")
    for t in ("_links", "_cc", "_scope_base"):
        run(conn, f"DROP TABLE IF EXISTS {t}")
    return scalar(conn, f"SELECT count(*) FROM {scope}") or 0


def _build_links(conn: duckdb.DuckDBPyConnection, scope: str | None) -> None:
    """TEMP ``_links(l, r, p, must)``: the links between records (of ``scope``, or all)."""
    in_scope = f"IN (SELECT record_id FROM {scope})" if scope else "IS NOT NULL"
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _links AS
        SELECT l, r, max(p) AS p, bool_or(must) AS must FROM (
            SELECT record_id_l AS l, record_id_r AS r, probability AS p, false AS must FROM match_pairs
            WHERE status = 'auto' OR (status = 'held' AND held_by = 'cluster')
            UNION ALL
            SELECT record_id_l, record_id_r, 2.0, true FROM match_decisions WHERE decision = 'accept' AND {ACTIVE}
        ) e
        WHERE l {in_scope} AND r {in_scope}
          AND l IN (SELECT record_id FROM records) AND r IN (SELECT record_id FROM records)
          AND (l, r) NOT IN (SELECT (record_id_l, record_id_r) FROM match_decisions
                             WHERE decision = 'reject' AND {ACTIVE})
        GROUP BY l, r""")


def _components(conn: duckdb.DuckDBPyConnection) -> None:
    """``_cc(node, label)``: every node of ``_links`` labelled with the smallest record id of its component.

    SciPy's connected components over the links as a sparse graph (vectorised, no Python loop over the
    links): 4M random links among 8M records in 6.5 s, against 16.6 s for the union-find in Python it
    replaced; 1.07 s against 1.23 s for the 572k links of a 1M-record match (the same labels, node for
    node, both times)."""
    import numpy as np
    import pyarrow as pa
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    table = conn.sql("SELECT l, r FROM _links").to_arrow_table()
    left = table.column("l").to_numpy().astype(np.int64, copy=False)
    right = table.column("r").to_numpy().astype(np.int64, copy=False)
    nodes, index = np.unique(np.concatenate([left, right]), return_inverse=True)  # sorted record ids
    m, n = len(left), len(nodes)
    if n:
        graph = coo_matrix((np.ones(m, dtype=np.int8), (index[:m], index[m:])), shape=(n, n)).tocsr()
        _count, comp = connected_components(graph, directed=True, connection="weak")
        _labels, first = np.unique(comp, return_index=True)  # nodes are sorted: a component's first is its smallest
        labels = nodes[first[comp]]
    else:
        labels = nodes
    conn.register("_cc_arrow", pa.table({"node": pa.array(nodes, pa.int64()), "label": pa.array(labels, pa.int64())}))
    try:
        run(conn, "CREATE OR REPLACE TEMP TABLE _cc AS SELECT node, label FROM _cc_arrow")
    finally:
        conn.unregister("_cc_arrow")


def _mark_refused(conn: duckdb.DuckDBPyConnection) -> None:
    """Statuses of the links the guard looked at: merged links are ``auto`` again, refused ones ``held`` (by
    the cluster guard, with its reason) or ``conflict`` (a cannot-link)."""
    run(conn, """UPDATE match_pairs SET status = 'auto', held_by = NULL, reason = NULL FROM _links e
        WHERE match_pairs.record_id_l = e.l AND match_pairs.record_id_r = e.r
          AND match_pairs.status = 'held' AND match_pairs.held_by = 'cluster'""")
    run(conn, """UPDATE match_pairs SET status = f.status, reason = f.reason,
            held_by = CASE WHEN f.status = 'held' THEN 'cluster' END FROM _refused f
        WHERE match_pairs.record_id_l = f.l AND match_pairs.record_id_r = f.r AND match_pairs.status = 'auto'""")


def constrained_components(links: list[tuple], cannot: list[tuple]) -> tuple[dict[int, int], list[tuple[int, int]]]:
    """Union-find over ``links`` (l, r, p, must) in the order given, refusing a union that would put both
    records of a ``cannot`` pair in one set. Returns ({node: smallest node of its set}, refused links)."""
    parent: dict[int, int] = {}
    members: dict[int, set[int]] = {}
    apart: dict[int, set[int]] = {}
    for a, b in cannot:
        apart.setdefault(a, set()).add(b)
        apart.setdefault(b, set()).add(a)

    def find(x: int) -> int:
        parent.setdefault(x, x)
        members.setdefault(x, {x})
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    refused = []
    for link in links:
        a, b = find(link[0]), find(link[1])
        if a == b:
            continue
        small, big = (a, b) if len(members[a]) <= len(members[b]) else (b, a)
        if any(apart.get(n, set()) & members[big] for n in members[small]):
            refused.append((link[0], link[1]))
            continue
        parent[small] = big
        members[big] |= members.pop(small)
    labels = {}
    for root in {find(n) for n in list(parent)}:
        low = min(members[root])
        for n in members[root]:
            labels[n] = low
    return labels, refused


def _assign_person_ids(conn: duckdb.DuckDBPyConnection, golden_now: bool = True) -> Changes:
    """Map components (``_comp``) to person ids, keeping ids stable; rewrite person_records; refresh golden."""
    run(conn, """CREATE OR REPLACE TEMP TABLE _overlap AS
        SELECT c.comp, pr.person_id, count(*) AS n FROM _comp c JOIN person_records pr USING (record_id)
        GROUP BY c.comp, pr.person_id""")
    # each old person follows its largest part; each component keeps the biggest old person that follows it
    run(conn, """CREATE OR REPLACE TEMP TABLE _keep AS
        WITH follows AS (SELECT person_id, arg_min(comp, (-n, comp)) AS comp, max(n) AS n FROM _overlap GROUP BY person_id)
        SELECT comp, arg_min(person_id, (-n, person_id)) AS person_id FROM follows GROUP BY comp""")
    new_comps = "SELECT DISTINCT comp FROM _comp WHERE comp NOT IN (SELECT comp FROM _keep)"
    base = reserve_ids(conn, "person", scalar(conn, f"SELECT count(*) FROM ({new_comps})"))  # never reused
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _newp AS
        SELECT comp, ? + row_number() OVER (ORDER BY comp) AS person_id FROM ({new_comps})""", [base])
    run(conn, """CREATE OR REPLACE TEMP TABLE _target AS
        SELECT c.record_id, coalesce(k.person_id, n.person_id) AS person_id, pr.person_id AS old_person
        FROM _comp c LEFT JOIN _keep k USING (comp) LEFT JOIN _newp n USING (comp)
        LEFT JOIN person_records pr USING (record_id)""")
    changes = Changes()
    stats = rows(conn, """SELECT
        (SELECT count(*) FROM _newp) AS created,
        (SELECT count(DISTINCT old_person) FROM _target) - (SELECT count(*) FROM _keep) AS merged,
        (SELECT count(*) FROM (SELECT old_person FROM _target WHERE old_person IS NOT NULL
            GROUP BY old_person HAVING count(DISTINCT person_id) > 1)) AS split,
        (SELECT count(*) FROM _target WHERE old_person IS DISTINCT FROM person_id) AS moved""")[0]
    changes.persons_created, changes.persons_merged = stats["created"], stats["merged"]
    changes.persons_split, changes.records_moved = stats["split"], stats["moved"]
    if changes.records_moved:
        run(conn, "CREATE OR REPLACE TEMP TABLE _moved AS SELECT * FROM _target WHERE old_person IS DISTINCT FROM person_id")
        run(conn, "DELETE FROM person_records WHERE record_id IN (SELECT record_id FROM _moved)")
        run(conn, "INSERT INTO person_records SELECT record_id, person_id, ? FROM _moved ORDER BY record_id",
            [clock.now()])
        run(conn, """CREATE OR REPLACE TEMP TABLE _touched AS SELECT DISTINCT person_id FROM
            (SELECT person_id FROM _moved UNION ALL SELECT old_person FROM _moved WHERE old_person IS NOT NULL)""")
        if golden_now:
            refresh_golden(conn, "SELECT person_id FROM _touched")
        else:
            run(conn, "INSERT INTO golden_pending SELECT person_id FROM _touched")
    for t in ("_overlap", "_keep", "_newp", "_target", "_moved", "_touched"):
        run(conn, f"DROP TABLE IF EXISTS {t}")
    return changes
