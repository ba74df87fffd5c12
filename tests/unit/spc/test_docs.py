from __future__ import annotations

import doctest

from steward.spc import _charts


def test_docstring_examples_run() -> None:
    result = doctest.testmod(_charts, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_calibration_docstring_examples_run() -> None:
    from steward.spc import _calibrate

    result = doctest.testmod(_calibrate, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
