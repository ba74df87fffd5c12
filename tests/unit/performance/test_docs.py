from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from steward.performance import _calibration, _decay, _estimated, _realized


@pytest.mark.parametrize("module", [_realized, _estimated, _calibration, _decay], ids=lambda m: m.__name__)
def test_docstring_examples_run(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
