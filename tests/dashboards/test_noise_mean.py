"""Every mean of noise levels a dashboard computes itself is by energy (Leq), as the API's are:
the overview's "Noise (mean of gu)" tile (and the public page's, the same builder)."""

from __future__ import annotations

import pytest

from dashboards.figures import overview as figures
from tests.dashboards.test_overview_figures import SENSING


def test_mean_of_noise_is_by_energy_and_of_pm_arithmetic() -> None:
    rows = [{"noise": 40.0, "pm25": 10.0}, {"noise": 60.0, "pm25": 30.0}, {"noise": None}]
    assert figures.mean_of(rows, "noise") == pytest.approx(57.0329, abs=1e-4)  # not 50
    assert figures.mean_of(rows, "pm25") == pytest.approx(20.0)
    assert figures.mean_of([{"noise": None}], "noise") is None
    assert figures.mean_of(None, "noise") is None


def test_the_overview_noise_tile_is_the_energy_mean_of_the_gu() -> None:
    # given gu at 60 and 50 dB(A) (and one without a reading)
    tiles = {t.id: t for t in figures.tiles(None, SENSING, None, None, None, "en")}
    # then the tile reads their energy mean, 57.4 dB, not the arithmetic 55.0
    assert tiles["noise"].value.startswith("57.4 ")
