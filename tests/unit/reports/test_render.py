"""prepare_templates compiles every report template once: forked task processes render without compiling."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from steward.reports import prepare_templates, render
from steward.reports._render import _env


def test_every_template_is_compiled_ahead_and_then_rendered_without_compiling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _env.cache_clear()
    names = prepare_templates()
    shipped = sorted(p.name for p in (Path(render.__code__.co_filename).parent / "templates").glob("*.j2"))
    assert sorted(names) == shipped and len(shipped) >= 13

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("a template was compiled again")

    monkeypatch.setattr(jinja2.Environment, "compile", no_compiling)
    for name in names:  # what render() looks up
        assert _env().get_template(name).name == name


def test_without_preparing_the_first_render_compiles(monkeypatch: pytest.MonkeyPatch) -> None:
    _env.cache_clear()
    compiled: list[str] = []
    original = jinja2.Environment.compile

    def counting(
        self: jinja2.Environment, source: str, name: str | None = None, *a: object, **k: object
    ) -> object:
        compiled.append(str(name))
        return original(self, source, name, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    _env().get_template("dq_index.html.j2")
    assert "dq_index.html.j2" in compiled
