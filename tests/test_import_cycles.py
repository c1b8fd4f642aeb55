"""Import cycles: the modules of workbench import each other one way only.

The graph counts every import (at module level and inside functions, where a cycle hides until a call
runs it), but not those under ``if TYPE_CHECKING``. The three cycles of issue 13 (contacts/demo/select,
privacy/suppress, select expression/sqlgen) are gone; one remains, known and listed in ``KNOWN`` (the
store opens the file and finishes a pending erasure wipe, which needs privacy, which needs the store):
a new cycle anywhere else fails this test.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "workbench"

# The one cycle left (store <-> privacy, through the erasure wipe): every module in it.
KNOWN_PREFIXES = ("workbench.store", "workbench.privacy", "workbench.audit", "workbench.households",
                  "workbench.identity", "workbench.ingest")


def module_names() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def import_graph() -> dict[str, set[str]]:
    mods = module_names()

    def resolve(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps: set[str] = set()
        stack: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
        while stack:
            node = stack.pop()
            if _type_checking(node):
                stack.extend(node.orelse)
                continue
            if isinstance(node, ast.Import):
                deps.update(r for a in node.names if (r := resolve(a.name)))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
                for a in node.names:
                    full = f"{base}.{a.name}"
                    if (r := resolve(full) if full in mods else resolve(base)):
                        deps.add(r)
            stack.extend(ast.iter_child_nodes(node))
        for dep in list(deps):  # importing a.b.c runs the packages a and a.b first
            bits = dep.split(".")
            deps.update(p for i in range(1, len(bits)) if (p := ".".join(bits[:i])) in mods)
        graph[name] = {d for d in deps if d != name and not name.startswith(d + ".")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[set[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in graph:
                    continue
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = set()
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.add(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        found.append(comp)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_no_import_cycle_but_the_known_one():
    found = cycles({k: v for k, v in import_graph().items() if not k.startswith("workbench.tui")})
    unexpected = [sorted(c) for c in found if not all(m.startswith(KNOWN_PREFIXES) for m in c)]
    assert not unexpected, f"import cycles: {unexpected}"


@pytest.mark.parametrize("first, second", [
    ("workbench.select.expression", "workbench.select.sqlgen"),
    ("workbench.privacy", "workbench.suppress"),
    ("workbench.contacts", "workbench.demo"),
    ("workbench.select", "workbench.demo"),
    # the function providers depend on the leaf select.spec only; select.functions imports them by name
    ("workbench.select.functions=", "workbench.contacts.select_functions="),
    ("workbench.select.functions=", "workbench.segments.select_functions="),
    ("workbench.select.sqlgen=", "workbench.contacts.select_functions="),
])
def test_the_three_cycles_of_issue_13_are_gone(first, second):
    """Neither reaches the other (a name ending in ``=`` is that module alone, else the package)."""
    graph = import_graph()

    def within(m: str, name: str) -> bool:
        return m == name[:-1] if name.endswith("=") else m == name or m.startswith(name + ".")

    def reaches(a: str, b: str) -> bool:
        seen, todo = set(), [m for m in graph if within(m, a)]
        while todo:
            m = todo.pop()
            if within(m, b):
                return True
            if m not in seen:
                seen.add(m)
                todo.extend(graph.get(m, ()))
        return False

    assert not (reaches(first, second) and reaches(second, first)), f"{first} and {second} import each other"


@pytest.mark.parametrize("module", [
    "workbench.select.sqlgen", "workbench.select.expression", "workbench.select.functions",
    "workbench.suppress", "workbench.privacy", "workbench.privacy.tombstones", "workbench.contacts.select_functions",
    "workbench.segments.select_functions", "workbench.demo", "workbench.select.counts", "workbench.export.run",
])
def test_each_module_imports_fresh_and_knows_its_functions(module):
    code = (f"import {module}\n"
            "from workbench.select.functions import functions\n"
            "assert {'trigger', 'rfm', 'orders'} <= set(functions())\n"
            "from workbench.select.steps import providers, pressure_rule_steps\n"
            "assert pressure_rule_steps in providers('after_one_per')\n"
            "import sys; assert 'textual' not in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
