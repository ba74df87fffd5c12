"""Matplotlib made ready ahead of the first plot (the reports import it lazily)."""

from __future__ import annotations

import io

__all__ = ["prepare_plots"]


def prepare_plots() -> None:
    """Import matplotlib with the Agg backend and load its fonts by drawing one small figure.

    A process that forks task processes (the demo's scheduler) calls it once, so that no monitoring
    or fairness task imports matplotlib and reads its font cache again.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1, 1))
    ax.set_title("warm-up")
    fig.savefig(io.BytesIO(), format="png", dpi=10)
    plt.close(fig)
