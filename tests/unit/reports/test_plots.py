"""prepare_plots: matplotlib ready (Agg backend, fonts loaded) before the first report."""

from __future__ import annotations

import subprocess
import sys

CHECK = (
    "import sys\n"
    "from steward.reports import prepare_plots\n"
    "assert 'matplotlib' not in sys.modules\n"
    "prepare_plots()\n"
    "import matplotlib, matplotlib.font_manager as fm\n"
    "fonts = fm._get_font.cache_info().currsize\n"
    "print(matplotlib.get_backend(), 'matplotlib.pyplot' in sys.modules, fonts)\n"
)


def test_prepare_plots_imports_pyplot_with_agg_and_loads_a_font() -> None:
    # a fresh interpreter: this test session may have imported matplotlib already
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True).stdout
    backend, pyplot, fonts = out.split()
    assert backend.lower() == "agg"
    assert pyplot == "True"
    assert int(fonts) >= 1  # a font file was opened: the first report does not pay for it
