"""The calibrated widths of the default chart options, tabulated (:mod:`steward.spc._calibrate`).

Every monitoring task would otherwise simulate them again (12 widths a model, about 25 ms each):
a task is a fresh process. ``tests/unit/spc/test_calibrate.py`` recomputes every entry; regenerate
the table with ``python -m steward.spc._calibrate`` when the simulation changes.
"""

from __future__ import annotations

#: ``(method, phase_i, arl0, horizon, lam, k, direction, sigma_method)`` -> width, as
#: ``steward.spc._calibrate._simulate`` returns it.
WIDTHS: dict[tuple[str, int | None, float, int, float, float, str, str], float] = {
    ("ewma", None, 370.0, 60, 0.2, 0.5, "both", "moving_range"): 2.864440388189989,
    ("ewma", None, 370.0, 60, 0.2, 0.5, "up", "moving_range"): 2.6017840237799903,
    ("ewma", None, 370.0, 60, 0.2, 0.5, "down", "moving_range"): 2.6109460238397895,
    ("ewma", 20, 370.0, 60, 0.2, 0.5, "both", "moving_range"): 3.5902082775389363,
    ("ewma", 20, 370.0, 60, 0.2, 0.5, "both", "std"): 3.496532391811404,
    ("ewma", 20, 370.0, 60, 0.2, 0.5, "up", "moving_range"): 3.105471985519749,
    ("ewma", 20, 370.0, 60, 0.2, 0.5, "up", "std"): 3.0643360048449004,
    ("ewma", 20, 370.0, 60, 0.2, 0.5, "down", "moving_range"): 3.0882266640682694,
    ("ewma", 20, 370.0, 60, 0.2, 0.5, "down", "std"): 3.0420365369157545,
    ("cusum", None, 370.0, 60, 0.2, 0.5, "both", "moving_range"): 4.668014539731751,
    ("cusum", None, 370.0, 60, 0.2, 0.5, "up", "moving_range"): 4.000874140021668,
    ("cusum", None, 370.0, 60, 0.2, 0.5, "down", "moving_range"): 4.022722266118062,
    ("cusum", 20, 370.0, 60, 0.2, 0.5, "both", "moving_range"): 7.630429007294455,
    ("cusum", 20, 370.0, 60, 0.2, 0.5, "both", "std"): 7.2344033380802335,
    ("cusum", 20, 370.0, 60, 0.2, 0.5, "up", "moving_range"): 5.713879288592855,
    ("cusum", 20, 370.0, 60, 0.2, 0.5, "up", "std"): 5.557722116818525,
    ("cusum", 20, 370.0, 60, 0.2, 0.5, "down", "moving_range"): 5.651390018226097,
    ("cusum", 20, 370.0, 60, 0.2, 0.5, "down", "std"): 5.456452333741661,
    ("shewhart", None, 370.0, 60, 0.2, 0.5, "both", "moving_range"): 3.0058154865560756,
    ("shewhart", None, 370.0, 60, 0.2, 0.5, "up", "moving_range"): 2.772926775256857,
    ("shewhart", None, 370.0, 60, 0.2, 0.5, "down", "moving_range"): 2.7850391917113106,
    ("shewhart", 20, 370.0, 60, 0.2, 0.5, "both", "moving_range"): 3.485065289018241,
    ("shewhart", 20, 370.0, 60, 0.2, 0.5, "both", "std"): 3.3770546415575606,
    ("shewhart", 20, 370.0, 60, 0.2, 0.5, "up", "moving_range"): 3.1653001311406643,
    ("shewhart", 20, 370.0, 60, 0.2, 0.5, "up", "std"): 3.082904395549503,
    ("shewhart", 20, 370.0, 60, 0.2, 0.5, "down", "moving_range"): 3.157853157276668,
    ("shewhart", 20, 370.0, 60, 0.2, 0.5, "down", "std"): 3.074160969750738,
}
