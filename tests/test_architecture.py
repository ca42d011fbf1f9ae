"""Imports point inward: core knows no Qt, the emulator stands alone, only gui imports Qt."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "leadscan"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                base = path.relative_to(PKG.parent).with_suffix("").parts[: -node.level]
                mod = ".".join(base + ((node.module,) if node.module else ()))
                names.add(mod)
            elif node.module:
                names.add(node.module)
    return names


def py_files(sub: str) -> list[Path]:
    files = sorted((PKG / sub).rglob("*.py"))
    assert files, f"no modules under leadscan/{sub}"
    return files


@pytest.mark.parametrize("path", py_files("core"), ids=lambda p: str(p.relative_to(PKG)))
def test_core_has_no_qt(path: Path) -> None:
    bad = {m for m in imported_modules(path) if m.split(".")[0] in ("PySide6", "shiboken6")}
    bad |= {m for m in imported_modules(path) if m.startswith(("leadscan.gui", "leadscan.cli", "leadscan.emulator"))}
    assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize("path", py_files("emulator"), ids=lambda p: str(p.relative_to(PKG)))
def test_emulator_stands_alone(path: Path) -> None:
    bad = {m for m in imported_modules(path)
           if m.startswith("leadscan") and not m.startswith("leadscan.emulator")}
    bad |= {m for m in imported_modules(path) if m.split(".")[0] in ("PySide6", "shiboken6")}
    assert not bad, f"{path} imports {bad}"


def test_only_gui_imports_qt() -> None:
    offenders = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG)
        if rel.parts[0] == "gui":
            continue
        if any(m.split(".")[0] == "PySide6" for m in imported_modules(path)):
            offenders.append(str(rel))
    assert not offenders
