"""The code's layout keeps its promises: no import cycles between the project's modules
(counting imports inside functions too, which hide a cycle from the interpreter until the
day the order of imports changes), each folder of ``moderation`` imports only the folders
its ``__init__`` docstring allows, and no aiohttp or Redis in the classifier.

The folders of ``moderation``, from the bottom up (docs/architecture.md draws them):
``core`` (the shared vocabulary), ``config``, ``storage`` (everything that speaks to
Redis), ``learning``, ``intake``, ``review``, ``delivery``, then ``web`` (handlers and the
API's models), ``appkeys`` and ``app`` (the wiring), ``runtime`` (processes) and ``cli``.
The domain folders say what is wrong with domain errors (``core.fields``), which the web
layer answers, and run background work in context managers the app's cleanup_ctx enters.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
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


# What each part of ``moderation`` may import of the project, besides itself; a part is
# a folder (``moderation.storage.store`` is ``storage``) or a module beside the folders.
_DOMAIN = frozenset({"core", "config", "storage", "learning", "intake", "review", "delivery"})
MAY_IMPORT: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "config": frozenset({"core"}),
    "storage": frozenset({"core", "config"}),
    "learning": frozenset({"core", "config", "storage"}),
    "intake": frozenset({"core", "config", "storage", "learning"}),
    "review": frozenset({"core", "config", "storage"}),
    "delivery": frozenset({"core", "config", "storage"}),
    # the web layer reaches the process only through appkeys (the typed app state)
    "web": _DOMAIN | {"appkeys"},
    "appkeys": _DOMAIN | {"web"},
    "app": _DOMAIN | {"web", "appkeys"},
    "runtime": _DOMAIN | {"web", "appkeys", "app"},
    "cli": _DOMAIN | {"runtime"},
    "__main__": frozenset({"cli"}),
    "__init__": frozenset(),
}
# Parts that serve no HTTP: no aiohttp at all (delivery may use its client, not its server).
NO_AIOHTTP = frozenset({"core", "config", "storage", "learning", "intake", "review"})
# The exceptions, each with its reason.
ALLOWED = {
    # logs.py's filter for aiohttp's connection handler recognises aiohttp's HTTP parser
    # errors, whose text carries the request line, to redact them: an exception class,
    # not a handler, imported inside the filter when a record is logged.
    ("moderation.core.logs", "aiohttp.http_exceptions"),
}


def _part(module: str) -> str:
    """The folder (or top-level module) of ``module``: moderation.storage.store -> storage."""
    parts = module.split(".")
    if parts[0] != "moderation":
        return ""
    if len(parts) == 1 or parts[1] in ("__init__", "__version__"):
        return "__init__"
    return parts[1]


def _breaches(imports: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(module, import) for each import that its module's part may not make."""
    found = []
    for module, names in sorted(imports.items()):
        part = _part(module)
        allowed = [name for m, name in ALLOWED if m == module]
        for name in sorted(names):
            if any(_under(name, a) for a in allowed):
                continue
            target = _part(name)
            # the package itself (its __version__) is anyone's
            if target not in ("", "__init__", part) and target not in MAY_IMPORT[part]:
                found.append((module, name))
            elif _under(name, "aiohttp") and (
                part in NO_AIOHTTP or (part == "delivery" and _under(name, "aiohttp.web"))
            ):
                found.append((module, name))
    return found


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_every_part_is_known_and_says_what_it_may_import() -> None:
    for path in (ROOT / "moderation").iterdir():
        name = path.stem if path.suffix == ".py" else path.name
        if path.is_dir() and not (path / "__init__.py").exists():
            continue  # web/static and the like
        assert name in MAY_IMPORT, f"{path}: a new part of moderation needs its rule here"
        if path.is_dir():
            doc = ast.get_docstring(ast.parse((path / "__init__.py").read_text()))
            assert doc and "import" in doc, f"{path}/__init__.py must say what it may import"


def test_few_modules_beside_the_folders() -> None:
    modules = [p for p in (ROOT / "moderation").glob("*.py")]
    assert len(modules) <= 6, sorted(p.name for p in modules)


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


def test_each_layer_imports_only_what_it_may() -> None:
    files = (ROOT / "moderation").rglob("*.py")
    assert _breaches({_module_name(f): _all_imports(f) for f in files}) == []


def test_every_exception_is_still_needed() -> None:
    imports = {_module_name(f): _all_imports(f) for f in (ROOT / "moderation").rglob("*.py")}
    assert all(name in imports.get(module, set()) for module, name in ALLOWED)


def test_the_checker_sees_a_breach() -> None:
    imports = {
        "moderation.review.privacy": {"moderation.storage.store", "aiohttp.web"},
        "moderation.storage.store": {"moderation.core.records", "moderation.web.problems"},
        "moderation.intake.validation": {"moderation.appkeys", "moderation.core.fields"},
        "moderation.web.admin": {"moderation.appkeys", "moderation.app"},
        "moderation.delivery.callbacks": {"aiohttp", "aiohttp.web"},
        "moderation.app": {"moderation.web", "aiohttp"},
    }
    assert _breaches(imports) == [
        ("moderation.delivery.callbacks", "aiohttp.web"),
        ("moderation.intake.validation", "moderation.appkeys"),
        ("moderation.review.privacy", "aiohttp.web"),
        ("moderation.storage.store", "moderation.web.problems"),
        ("moderation.web.admin", "moderation.app"),
    ]


def test_the_classifier_has_no_web_or_redis_code() -> None:
    for path in (ROOT / "classifier").rglob("*.py"):
        for name in _all_imports(path):
            assert name.split(".")[0] not in ("aiohttp", "redis", "moderation"), (path, name)
