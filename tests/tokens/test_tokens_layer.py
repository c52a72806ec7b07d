"""The token and document packages sit where DESIGN.md puts them, and never read the clock.

``tokens`` is a lower layer beside the registry: it may use the pure reference data
(for a jurisdiction's time zone) but nothing above it; ``documents`` is an interface
that renders plain values and reaches no lower than ``law`` (for ``Money``).
"""

from __future__ import annotations

import pytest

from tests.test_layers import clock_reads, module_name, package_imports, sources

ALLOWED = {
    "tokens": ("borderplates.tokens", "borderplates.reference", "borderplates.errors", "borderplates.vocabulary"),
    "documents": ("borderplates.documents", "borderplates.law", "borderplates.errors", "borderplates.vocabulary"),
}


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_the_package_imports_only_what_is_below_it(layer: str) -> None:
    assert sources(layer)
    wrong = {
        f"{path.name}: {name}"
        for path in sources(layer)
        for name in package_imports(path, module_name(path))
        if not any(name == allowed or name.startswith(allowed + ".") for allowed in ALLOWED[layer])
    }
    assert not wrong


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_the_package_never_reads_the_clock(layer: str) -> None:
    assert not [call for path in sources(layer) for call in clock_reads(path)]
