"""Figure builders: pure functions from a source's answer (plain dicts) to plotly figures and
the rows of their data tables. No Dash, no I/O: unit-tested directly and timed by
bench/dashboard.py as the baseline of a render."""
