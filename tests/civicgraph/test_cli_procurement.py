"""`civicgraph procurement simulate` through typer's CliRunner."""

from __future__ import annotations

from civicgraph.cli import app
from tests.civicgraph.runner import BoundaryRunner

runner = BoundaryRunner()


def test_simulate_reports_cycle_times_against_seouls_figures() -> None:
    result = runner.invoke(app, ["procurement", "simulate", "--purchases", "8", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "8 purchases in 2026" in result.output
    assert "draft to award" in result.output
    row = next(line for line in result.output.splitlines() if "draft to award" in line)
    assert row.split("│")[-3].strip() == "23"  # the manual figure beside ours
    assert "Awarded 8, paid 8" in result.output


def test_simulate_refuses_a_year_without_purchases() -> None:
    result = runner.invoke(app, ["procurement", "simulate", "--purchases", "0"])
    assert result.exit_code == 2
