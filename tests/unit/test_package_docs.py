"""Each package's docstring lists its modules, so the docs follow the code (issue 10)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[2] / "plugins" / "steward"
PACKAGES = sorted(init.parent for init in PACKAGE_ROOT.rglob("__init__.py"))
ENTRY = re.compile(r"^``(\w+)``$")


def _package_docstring(package: Path) -> str:
    return ast.get_docstring(ast.parse((package / "__init__.py").read_text())) or ""


def _modules_section(docstring: str) -> list[str]:
    """The module names of the numpydoc ``Modules`` section: one ````name```` line per entry."""
    lines = docstring.splitlines()
    headings = (i for i, line in enumerate(lines[:-1]) if line == "Modules" and lines[i + 1] == "-------")
    start = next((i + 2 for i in headings), None)
    if start is None:
        return []
    names = []
    for line in lines[start:]:
        if line and not line.startswith(" "):
            match = ENTRY.match(line)
            if match is None:  # the next section or paragraph ends this one
                break
            names.append(match.group(1))
    return names


def _module_names(package: Path) -> set[str]:
    return {path.stem for path in package.glob("*.py")} - {"__init__", "__main__"}


def test_every_package_is_found() -> None:
    names = {package.relative_to(PACKAGE_ROOT).as_posix() for package in PACKAGES}
    assert {".", "airflow", "fairness", "warehouse"} <= names
    assert len(PACKAGES) >= 20


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.relative_to(PACKAGE_ROOT).as_posix())
def test_package_docstring_lists_its_private_modules(package: Path) -> None:
    private = {name for name in _module_names(package) if name.startswith("_")}
    listed = _modules_section(_package_docstring(package))
    assert listed, f"{package}/__init__.py: the docstring has no Modules section"
    assert listed == sorted(listed), f"{package}: list the modules in alphabetical order"
    missing = private - set(listed)
    assert not missing, f"{package}/__init__.py: add {sorted(missing)} to the docstring's Modules section"
    stale = set(listed) - _module_names(package)
    assert not stale, f"{package}/__init__.py: the Modules section names {sorted(stale)}, which do not exist"


def test_airflow_lists_public_modules_too() -> None:
    package = PACKAGE_ROOT / "airflow"
    assert set(_modules_section(_package_docstring(package))) == _module_names(package)


def test_modules_section_parsing() -> None:
    docstring = "\n".join(
        [
            "Summary.",
            "",
            "Modules",
            "-------",
            "``_a``",
            "    What a holds.",
            "``_b``",
            "    B.",
            "",
            "Examples",
            "-------",
        ]
    )
    assert _modules_section(docstring) == ["_a", "_b"]
    assert _modules_section("Summary without the section.") == []
