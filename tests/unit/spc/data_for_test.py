"""Fixed data for the control-chart tests.

MONTGOMERY_X: the 30 individual observations of Montgomery, *Introduction to Statistical Quality
Control*, Table 9.1 (first 20 from N(10, 1), the last 10 from N(11, 1)), used by his tabular CUSUM
(k = 0.5, h = 5, Table 9.2) and EWMA (lambda = 0.1, L = 2.7) examples with mu0 = 10, sigma = 1.
The published columns are below, rounded as printed (C+/C- to 2 decimals, z_i to 4).
"""

from __future__ import annotations

import numpy as np

MONTGOMERY_X = [
    9.45, 7.99, 9.29, 11.66, 12.16, 10.18, 8.04, 11.46, 9.20, 10.34,
    9.03, 11.47, 10.51, 9.40, 10.08, 9.37, 10.62, 10.31, 8.52, 10.84,
    10.90, 9.33, 12.29, 11.50, 10.60, 11.08, 10.38, 11.62, 11.31, 10.52,
]  # fmt: skip

# Table 9.2: C+_i and C-_i
MONTGOMERY_C_PLUS = [
    0.00, 0.00, 0.00, 1.16, 2.82, 2.50, 0.04, 1.00, 0.00, 0.00,
    0.00, 0.97, 0.98, 0.00, 0.00, 0.00, 0.12, 0.00, 0.00, 0.34,
    0.74, 0.00, 1.79, 2.79, 2.89, 3.47, 3.35, 4.47, 5.28, 5.30,
]  # fmt: skip
MONTGOMERY_C_MINUS = [
    0.05, 1.56, 1.77, 0.00, 0.00, 0.00, 1.46, 0.00, 0.30, 0.00,
    0.47, 0.00, 0.00, 0.10, 0.00, 0.13, 0.00, 0.00, 0.98, 0.00,
    0.00, 0.17, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
]  # fmt: skip

# EWMA example (lambda = 0.1, L = 2.7): z_i, and the first control limits as printed
MONTGOMERY_Z = [
    9.9450, 9.7495, 9.7036, 9.8992, 10.1253, 10.1307, 9.9217, 10.0755, 9.9880, 10.0232,
    9.9238, 10.0785, 10.1216, 10.0495, 10.0525, 9.9843, 10.0478, 10.0740, 9.9186, 10.0108,
    10.0997, 10.0227, 10.2495, 10.3745, 10.3971, 10.4654, 10.4568, 10.5731, 10.6468, 10.6341,
]  # fmt: skip
MONTGOMERY_EWMA_UCL_1_2 = (10.27, 10.36)
MONTGOMERY_EWMA_LCL_1_2 = (9.73, 9.64)


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)
