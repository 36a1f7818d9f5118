"""The code's layout keeps its promises: no import cycles between the project's modules
(counting imports inside functions too, which hide a cycle from the interpreter until the
day the order of imports changes), the layers import only what is below them, and no
aiohttp or Redis in the classifier.

The layers of ``moderation``:

- the web layer, ``moderation/web/``: handlers, bodies, answers, problems, middleware;
- storage, ``moderation/storage/``: everything that speaks to Redis;
- the process wiring: ``app`` (create_app), ``appkeys`` (the typed app state, which
  holds web objects), ``cli``, ``serving``, ``workers`` and ``__main__``;
- the domain: every other module at the top level of ``moderation/`` (records, rules,
  validation, batching, privacy, learning, fields, config, offline, model_holder,
  metrics, logs, jsoncodec).

Storage and the domain import neither the web layer nor the process wiring nor aiohttp:
they say what is wrong with domain errors (fields.py), which the web layer answers, and
run background work in context managers that the app's cleanup_ctx enters.  Storage and
the domain may use each other (the store keeps records; batching stores comments).  The
web layer reaches the process only through ``appkeys``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("moderation", "classifier")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every project module ``path`` imports, anywhere in it (``from a import b`` counts
    as ``a`` and, when b is a module, ``a.b``)."""
    return {name for name in _all_imports(path) if name.split(".")[0] in PACKAGES}


def _graph() -> dict[str, set[str]]:
    files = [f for package in PACKAGES for f in (ROOT / package).rglob("*.py")]
    graph = {_module_name(f): _imports(f) for f in files}
    return {m: {d for d in deps if d in graph and d != m} for m, deps in graph.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


def test_the_checker_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


PROCESS = frozenset(
    f"moderation.{name}" for name in ("app", "appkeys", "cli", "serving", "workers", "__main__")
)
# What a module of each layer must not import (a name or anything under it).
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "storage": ("moderation.web", *sorted(PROCESS), "aiohttp"),
    "domain": ("moderation.web", *sorted(PROCESS), "aiohttp"),
    "web": tuple(sorted(PROCESS - {"moderation.appkeys"})),
}
# The exceptions, each with its reason.
ALLOWED = {
    # logs.py's filter for aiohttp's connection handler recognises aiohttp's HTTP parser
    # errors, whose text carries the request line, to redact them: an exception class,
    # not a handler, imported inside the filter when a record is logged.
    ("moderation.logs", "aiohttp.http_exceptions"),
}


def _layer(module: str) -> str:
    if module == "moderation.web" or module.startswith("moderation.web."):
        return "web"
    if module == "moderation.storage" or module.startswith("moderation.storage."):
        return "storage"
    if module in PROCESS:
        return "process"
    return "domain" if module.startswith("moderation") else "other"


def _all_imports(path: Path) -> set[str]:
    """Every module ``path`` imports, of any package, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _breaches(imports: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(module, import) for each import that its module's layer forbids."""
    found = []
    for module, names in sorted(imports.items()):
        forbidden = FORBIDDEN.get(_layer(module), ())
        allowed = [name for m, name in ALLOWED if m == module]
        for name in sorted(names):
            if any(_under(name, f) for f in forbidden) and not any(
                _under(name, a) for a in allowed
            ):
                found.append((module, name))
    return found


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_each_layer_imports_only_what_it_may() -> None:
    files = (ROOT / "moderation").rglob("*.py")
    assert _breaches({_module_name(f): _all_imports(f) for f in files}) == []


def test_every_exception_is_still_needed() -> None:
    imports = {_module_name(f): _all_imports(f) for f in (ROOT / "moderation").rglob("*.py")}
    assert all(name in imports.get(module, set()) for module, name in ALLOWED)


def test_the_checker_sees_a_breach() -> None:
    imports = {
        "moderation.privacy": {"moderation.storage.store", "aiohttp.web"},
        "moderation.storage.store": {"moderation.records", "moderation.web.problems"},
        "moderation.validation": {"moderation.appkeys", "moderation.fields"},
        "moderation.web.admin": {"moderation.appkeys", "moderation.app"},
        "moderation.app": {"moderation.web", "aiohttp"},
    }
    assert _breaches(imports) == [
        ("moderation.privacy", "aiohttp.web"),
        ("moderation.storage.store", "moderation.web.problems"),
        ("moderation.validation", "moderation.appkeys"),
        ("moderation.web.admin", "moderation.app"),
    ]


def test_the_classifier_has_no_web_or_redis_code() -> None:
    for path in (ROOT / "classifier").rglob("*.py"):
        for name in _all_imports(path):
            assert name.split(".")[0] not in ("aiohttp", "redis", "moderation"), (path, name)
