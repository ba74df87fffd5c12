from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from steward.carbon import _coefficients, _providers, _usage


@pytest.mark.parametrize("module", [_coefficients, _usage, _providers], ids=lambda m: m.__name__)
def test_docstring_examples_run(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
