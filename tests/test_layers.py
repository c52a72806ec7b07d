"""Imports point down only, and the pure layers never read the clock.

``reference`` imports nothing else of the package but ``borderplates.errors`` and
``borderplates.vocabulary``; ``law`` imports only ``reference`` and those two
(DESIGN.md, "Layers").
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import borderplates

PACKAGE = Path(borderplates.__file__).parent
ALLOWED = {
    "reference": {"borderplates.reference", "borderplates.errors", "borderplates.vocabulary"},
    "law": {"borderplates.law", "borderplates.reference", "borderplates.errors", "borderplates.vocabulary"},
    "reading": {"borderplates.reading", "borderplates.reference", "borderplates.errors", "borderplates.vocabulary"},
}
# (what the method is called on, the method): date.today(), dt.datetime.now(...), time.time(), ...
CLOCK_CALLS = {
    ("date", "today"),
    ("datetime", "today"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    *(("time", name) for name in ("time", "time_ns", "localtime", "gmtime", "monotonic", "perf_counter")),
}


def sources(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def package_imports(path: Path, module: str) -> set[str]:
    """Every ``borderplates...`` module that the file at ``path`` (module ``module``) imports."""
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            names = [f"{source}.{alias.name}" if source == "borderplates" else source for alias in node.names]
        else:
            continue
        found.update(name for name in names if name == "borderplates" or name.startswith("borderplates."))
    return found


def clock_reads(path: Path) -> list[str]:
    """Calls such as ``date.today()``, ``dt.datetime.now(...)`` or ``time.time()`` in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else owner.id if isinstance(owner, ast.Name) else ""
            if (name, node.func.attr) in CLOCK_CALLS:
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def allowed(name: str, layer: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in ALLOWED[layer])


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_pure_layer_imports_only_the_layers_below_it(layer: str) -> None:
    assert sources(layer)
    wrong = {f"{path.relative_to(PACKAGE)}: {name}" for path in sources(layer) for name in package_imports(path, module_name(path)) if not allowed(name, layer)}
    assert not wrong


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_pure_layer_never_reads_the_clock(layer: str) -> None:
    found = [call for path in sources(layer) for call in clock_reads(path)]
    assert not found


def test_the_law_layer_does_use_the_reference_layer() -> None:
    used = {name for path in sources("law") for name in package_imports(path, module_name(path))}
    assert any(allowed(name, "reference") and not name.startswith("borderplates.law") for name in used)


def test_the_import_check_sees_every_kind_of_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import borderplates.registry\nfrom borderplates import services\nfrom borderplates.cli.law import app\n"
        "from .. import errors\nfrom ..registry import tables\n",
        encoding="utf-8",
    )
    assert package_imports(sample, "borderplates.law.sample") == {
        "borderplates.registry",
        "borderplates.services",
        "borderplates.cli.law",
        "borderplates.errors",
    }
    assert not allowed("borderplates.registry", "law")
    assert not allowed("borderplates.services", "reference")
    assert not allowed("borderplates.law", "reference")
    assert allowed("borderplates.reference.plates", "law")


def test_the_clock_check_sees_every_way_of_reading_the_clock(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import datetime as dt\nimport time\nfrom datetime import date, datetime\n"
        "a = date.today()\nb = dt.datetime.now(dt.UTC)\nc = datetime.utcnow()\nd = time.time()\n"
        "e = dt.date(2021, 9, 20)\nf = dt.time()\ng = dt.datetime.combine(e, f)\n",
        encoding="utf-8",
    )
    assert [call.split(": ", 1)[1] for call in clock_reads(sample)] == ["date.today()", "dt.datetime.now(dt.UTC)", "datetime.utcnow()", "time.time()"]
