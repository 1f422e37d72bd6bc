"""One scoring run: each scored model's `score` in turn, a refusal of one never stopping the rest.

`civicgraph ml score` and the server's scheduled scoring (`CIVIC_ML_SCORE_EVERY`) both call
`score_all`; whoever calls it publishes the alarms of the Scorings it returns (the `anomalies`
subscription). Routing is not scored here: it routes each filing as it is filed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence

from graph.errors import CivicGraphError
from ml.errors import MLError
from ml.progress import Progress, quiet
from ml.scoring import Scoring, ScoringContext, hotspots, outbreak, scoring_time, water

Scorer = Callable[[ScoringContext], Awaitable[Scoring]]

SCORERS: dict[str, Scorer] = {
    "water": water.score,
    "outbreak": outbreak.score,
    "hotspots": hotspots.score,
}
"""The models scored on the platform's data, in the order a run scores them."""

SCORED: tuple[str, ...] = tuple(SCORERS)


class NotScored(MLError):
    """A model name that no scoring run scores (routing routes filings; others are none)."""


def check_scored(name: str) -> str:
    """`name` if a run scores it; NotScored naming the scored models otherwise."""
    if name not in SCORERS:
        raise NotScored(
            f"{name!r} is not scored on the platform's data (scored: {', '.join(SCORED)}; "
            "routing routes each filing as it is filed)"
        )
    return name


def skipped(name: str, error: CivicGraphError) -> Scoring:
    """The Scoring of a model whose run was refused with `error`."""
    return Scoring(
        model=name,
        version=None,
        window_start=None,
        predictions=0,
        proposed=0,
        alarms=(),
        skipped=" ".join(str(error).split()) or type(error).__name__,
    )


async def score_all(
    context: ScoringContext,
    names: Sequence[str] = SCORED,
    progress: Progress = quiet,
    *,
    scorers: Mapping[str, Scorer] = SCORERS,
) -> list[Scoring]:
    """Score each model of `names` (each one of SCORED, in SCORED's order whatever the order
    given) at `context.now`: one Scoring per model. A model whose run raises a
    CivicGraphError (a refusal: a damaged entry, data that cannot be read) is reported in its
    Scoring's `skipped`, and the others still run; any other exception (a bug) propagates.

    `progress(step, done)` hears `"<model>: scoring"` before each model and `"<model>: scored"`
    or `"<model>: skipped"` after it, `done` being the share of the models finished.
    `scorers` maps each name to its scoring (default: the models' modules).
    Raises NotScored for a name that is not scored, ScoringTimeInvalid for a `context.now`
    that no run may score as of (`ml.scoring.scoring_time`: naive, before 2000, in the future).
    """
    scoring_time(context.now)
    wanted = {check_scored(name) for name in names}
    chosen = [name for name in SCORED if name in wanted]
    results: list[Scoring] = []
    for n, name in enumerate(chosen):
        progress(f"{name}: scoring", n / len(chosen))
        try:
            result = await scorers[name](context)
        except CivicGraphError as error:
            result = skipped(name, error)
        results.append(result)
        outcome = "skipped" if result.skipped is not None else "scored"
        progress(f"{name}: {outcome}", (n + 1) / len(chosen))
    return results
