"""`civicgraph ml`: train the city's models, list them, show their cards, roll one back, score
the platform's data with them.

Training writes each model into the registry (`CIVIC_ML_DIR`, default var/ml) with its card,
makes it the serving version and appends a `model.deployed` entry to the verifiable log, so
anyone can later check which model served when, with which figures (docs/analytics.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from civicgraph.console import console, err, fail, run
from civicgraph.scoring import describe
from civicgraph.settings import Settings
from civicgraph.stores import open_log, open_seeded
from graph.records import open_records
from graph.redis_pool import is_redis_url
from ml.card import card_markdown
from ml.catalogue import ModelModule, module_of
from ml.errors import MAX_SEED, ModelNotTrained, RegistryDamaged, UnknownModel
from ml.feeds import refresh_feeds
from ml.registry import MODELS, Registry, StoredModel, check_name, deployment_entry
from ml.scoring import Scoring, ScoringContext, ScoringTimeInvalid, scoring_time
from ml.scoring.run import SCORED, NotScored, check_scored, score_all
from ml.trained import TrainedModel, figure
from subscriptions.anomalies import publish_anomalies
from subscriptions.open import open_bus


def _model_name(value: str) -> str:
    """A model's name, or a usage error (exit 2) naming the models."""
    try:
        return check_name(value)
    except UnknownModel as unknown:
        raise typer.BadParameter(str(unknown)) from None


def _model_names(values: list[str] | None) -> list[str] | None:
    return None if values is None else [_model_name(value) for value in values]


def _scored_name(value: str | None) -> str | None:
    """A scored model's name (or None: all), or a usage error (exit 2) naming them."""
    try:
        return None if value is None else check_scored(value)
    except NotScored as error:
        raise typer.BadParameter(str(error)) from None


ModelName = Annotated[
    str, typer.Argument(help=f"One of {', '.join(MODELS)}.", callback=_model_name)
]
"""A model's name as a command argument: checked before the command runs."""

ml_app = typer.Typer(
    help="The city's models (LightGBM): train, list, show a card, roll back, score.",
    no_args_is_help=True,
)


async def _deploy(settings: Settings, stored: StoredModel | None, by: str) -> int | None:
    """Append the deployment of `stored` to the log, then make it serve; the entry's leaf index.

    With `stored` None, only checks that the records and the log open (before long training).
    """
    records = await open_records(settings.records_location, migrate=False)
    try:
        log = await open_log(settings, records)
        if stored is None:
            return None
        registry = Registry(settings.ml_path)
        registry.verified(stored.name, stored.version)  # never log what cannot serve
        appended = await log.append([deployment_entry(stored, by=by)])
        registry.promote(stored.name, stored.version)
        return appended.first_index
    finally:
        await records.close()


def _figures(model: TrainedModel) -> Table:
    table = Table(title=f"{model.name}: the same run's baselines", title_justify="left")
    for column in ("metric", "model", "baselines", "target", "met"):
        table.add_column(column)
    for c in model.comparisons:
        baselines = ", ".join(f"{k} {figure(v)}" for k, v in c.baselines.items())
        met = "[green]yes[/green]" if c.met else "[red]no[/red]"
        unit = f" ({c.unit})" if c.unit else ""
        table.add_row(f"{c.metric}{unit}", figure(c.model), baselines, c.target, met)
    return table


def _train_with_bar(module: ModelModule, scale: float | None, seed: int) -> TrainedModel:
    """Train one model while a rich bar shows its steps."""
    name = module.NAME
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(f"{name}: starting", total=1.0)

        def report(step: str, done: float) -> None:
            bar.update(task, description=f"{name}: {step}", completed=min(max(done, 0.0), 1.0))

        trained = module.train(
            scale=scale if scale is not None else module.DEFAULT_SCALE, seed=seed, progress=report
        )
        bar.update(task, description=f"{name}: trained", completed=1.0)
    return trained


@ml_app.command("train")
def train(
    models: Annotated[
        list[str] | None,
        typer.Argument(
            help=f"Models to train (default: all of {', '.join(MODELS)}).",
            show_default=False,
            callback=_model_names,
        ),
    ] = None,
    scale: Annotated[
        float | None,
        typer.Option(
            help="Data scale: 1.0 is a year of Seoul (default: each model's small default).",
            min=1e-6,
            max=1.0,
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int,
        typer.Option(
            help="Draws training seeds from here; every model's evaluation seeds stay disjoint "
            "from its training seeds for seeds 0 to 999.",
            min=0,
            max=MAX_SEED,
        ),
    ] = 0,
    if_missing: Annotated[
        bool, typer.Option("--if-missing", help="Train only models with no serving version.")
    ] = False,
) -> None:
    """Train, evaluate against each model's baselines in the same run, register and deploy.

    Each trained version becomes the serving one and a `model.deployed` log entry; a model that
    misses a target is still registered (its card says so) and the command says which.
    """
    names = models or list(MODELS)
    settings = Settings()
    registry = Registry(settings.ml_path)
    run(lambda: _deploy(settings, None, ""))  # fail now, not after minutes of training
    registry.check_writable()
    missed: list[str] = []
    for name in names:
        if if_missing and (serving := _serving(registry, name)) is not None:
            console.print(f"{name}: already trained ({serving}).")
            continue
        try:
            trained = _train_with_bar(module_of(name), scale, seed)
        except KeyboardInterrupt:
            err.print(f"interrupted: {name} was not registered; the models above were.")
            raise typer.Exit(code=130) from None
        stored = registry.add(trained)
        leaf = run(partial(_deploy, settings, stored, "civicgraph ml train"))
        console.print(_figures(trained))
        console.print(f"{name}: version {stored.version} serves (log entry {leaf}).")
        if not trained.meets_targets:
            missed.append(name)
    if missed:
        console.print(
            f"[yellow]Trained and serving, short of a target: {', '.join(missed)}. Not an error: "
            "`civicgraph ml card NAME` shows each figure, docs/analytics.md where each model "
            "stands.[/yellow]",
            soft_wrap=True,
        )


def _serving(registry: Registry, name: str) -> str | None:
    """The version of `name` that serves, or None when none can (never trained, or damaged:
    `--if-missing` then trains it anew, which repairs the entry)."""
    try:
        return registry.verified(name, registry.current_version(name) or "").version
    except (ModelNotTrained, UnknownModel):
        return None
    except RegistryDamaged as damaged:
        err.print(f"{name}: {damaged}; training it anew.", soft_wrap=True)
        return None


@ml_app.command("list")
def list_models() -> None:
    """Each model's serving version, when it was trained, and whether it met its targets."""
    registry = Registry(Settings().ml_path)
    table = Table(title="Models")
    for column in ("model", "serving version", "trained (UTC)", "targets met", "versions"):
        table.add_column(column, no_wrap=column in ("model", "serving version"))
    problems: list[str] = []
    for name in MODELS:
        count = str(len(registry.versions(name)))
        try:
            stored = registry.load(name)
        except ModelNotTrained:
            table.add_row(name, "not trained", "", "", count)
            continue
        except (RegistryDamaged, UnknownModel) as damaged:
            table.add_row(name, "[red]damaged[/red] (below)", "", "", count)
            problems.append(str(damaged))
            continue
        card = stored.card
        met = "yes" if card["meets_targets"] else "no"
        trained_at = card["trained_at"][:16].replace("T", " ")  # UTC, to the minute
        table.add_row(name, stored.version, trained_at, met, count)
    console.print(table)
    for problem in problems:  # whole, under the table: in a cell they squeezed the columns
        console.print(f"[red]damaged:[/red] {escape(problem)}", soft_wrap=True)


@ml_app.command("versions")
def versions(name: ModelName) -> None:
    """Every trained version of a model, oldest first, and which one serves."""
    registry = Registry(Settings().ml_path)
    try:
        serving = registry.current_version(name)
    except RegistryDamaged:
        serving = None
    table = Table(title=f"{name}: versions")
    for column in ("version", "trained (UTC)", "targets met", "serves"):
        table.add_column(column, no_wrap=column == "version")
    for version in registry.versions(name):
        try:
            card = registry.card(name, version)
            trained_at = card["trained_at"][:16].replace("T", " ")
            met = "yes" if card["meets_targets"] else "no"
        except RegistryDamaged:
            trained_at, met = "[red]damaged card[/red]", ""
        table.add_row(version, trained_at, met, _serves(registry, name, version, serving))
    console.print(table)


def _serves(registry: Registry, name: str, version: str, serving: str | None) -> str:
    """The `serves` cell: yes for the version `current` names; "no: damaged" when its files
    cannot serve (`ml list` says why)."""
    if version != serving:
        return ""
    try:
        registry.load(name, version)
    except (RegistryDamaged, UnknownModel):
        return "[red]no: damaged[/red]"
    return "yes"


@ml_app.command("card")
def card(
    name: ModelName,
    version: Annotated[
        str | None, typer.Option(help="A version (default: the serving one).")
    ] = None,
) -> None:
    """Print a model's card (Markdown): data, features, metrics beside baselines, uses; with a
    warning on stderr when that version's files cannot serve (its model file changed)."""
    registry = Registry(Settings().ml_path)
    version = version or registry.current_version(name)
    if version is None:
        raise ModelNotTrained(name)
    typer.echo(card_markdown(registry.card(name, version)), nl=False)
    try:
        registry.load(name, version)
    except RegistryDamaged as damaged:  # the card reads; the version cannot serve
        err.print(
            f"[yellow]warning:[/yellow] {escape(str(damaged))}: this version cannot serve",
            soft_wrap=True,
            highlight=False,
        )


@ml_app.command("promote")
def promote(
    name: ModelName,
    version: Annotated[
        str, typer.Argument(help="The version to serve (see `civicgraph ml versions NAME`).")
    ],
) -> None:
    """Make another trained version the serving one (a rollback), as a log entry.

    The version is checked first (its files parse, its model file is the one it was trained
    as, its booster loads): a version that cannot serve is refused, and nothing is logged.
    """
    settings = Settings()
    registry = Registry(settings.ml_path)
    stored = registry.verified(name, version)
    try:
        serving = registry.current_version(name)
    except RegistryDamaged:  # a damaged `current` is what promoting repairs
        serving = None
    if serving == stored.version:
        console.print(f"{name}: version {stored.version} already serves; nothing logged.")
        return
    leaf = run(lambda: _deploy(settings, stored, "civicgraph ml promote"))
    console.print(f"{name}: version {stored.version} serves (log entry {leaf}).")


def _moment(text: str | None) -> datetime:
    """`--at` as an aware UTC datetime (default: now). Raises typer.BadParameter (a usage
    error, exit 2) for text that is not an ISO 8601 time with an offset (`Z` or `+09:00`), or
    a time no run may score as of (`ml.scoring.scoring_time`: before 2000 or in the future)."""
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an ISO 8601 time (e.g. 2026-11-30T09:00Z)", param_hint="--at"
        ) from None
    if moment.tzinfo is None:
        raise typer.BadParameter(
            f"{text!r} has no offset: add Z for UTC (e.g. {text}Z)", param_hint="--at"
        )
    try:
        return scoring_time(moment)
    except ScoringTimeInvalid as error:
        raise typer.BadParameter(str(error), param_hint="--at") from None


async def _score(settings: Settings, names: list[str], at: datetime) -> list[Scoring]:
    """Score `names` at `at` over the settings' stores (the graph read-only), with a progress
    line per model, after topping the simulated feeds up to `at` when the simulator is on
    (`CIVIC_SIMULATOR`, as `serve` does); then publish the alarms on a shared (Redis) bus, so
    that a `serve` process's `anomalies` subscribers receive them."""
    stores = await open_seeded(settings.model_copy(update={"graph_read_only": True}))
    try:
        if settings.simulator:  # as `serve` does: the simulated feeds get their new hours first
            written = await refresh_feeds(stores.records, stores.graph, now=at)
            console.print("feeds: " + ", ".join(f"{n} {c} rows" for n, c in written.items()))
        context = ScoringContext(stores.records, stores.graph, Registry(settings.ml_path), at)
        columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console) as bar:
            tasks = {name: bar.add_task(f"{name}: waiting", total=1.0) for name in names}

            def report(step: str, done: float) -> None:
                name = step.split(":", 1)[0]
                finished = not step.endswith("scoring")
                bar.update(tasks[name], description=step, completed=1.0 if finished else 0.0)

            scorings = await score_all(context, names, report)
    finally:
        await stores.close()
    await _publish(settings.bus_url, scorings)
    return scorings


async def _publish(bus_url: str | None, scorings: list[Scoring]) -> int:
    """Publish the alarms of `scorings` on the bus `bus_url` names, if it is shared (Redis);
    an in-process bus has no subscriber outside this command. Returns how many."""
    if not is_redis_url(bus_url):
        return 0
    bus = await open_bus(bus_url)
    try:
        return await publish_anomalies(bus, [row for s in scorings for row in s.alarms])
    finally:
        await bus.close()


@ml_app.command("score")
def score(
    model: Annotated[
        str | None,
        typer.Argument(
            help=f"One model to score (default: all of {', '.join(SCORED)}).",
            show_default=False,
            callback=_scored_name,
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            help="Score as if it were this time: ISO 8601 with its offset, e.g. "
            "2026-11-30T09:00Z (default: now).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Score the platform's data with the serving models: predictions, reviews, alarms.

    Each model writes its newest windows into the records (`predictions` in the API), queues
    what affects people for an analyst, and its alarms go to the `anomalies` subscription when
    the bus is shared (CIVIC_BUS_URL=redis://…). A model never trained, or whose data is
    missing, is skipped with the reason; when every one is, the command fails (exit 1).
    Reads the graph read-only.
    """
    names = [model] if model is not None else list(SCORED)
    moment = _moment(at)
    settings = Settings()
    scorings = run(lambda: _score(settings, names, moment))
    for scoring in scorings:
        style = "yellow" if scoring.skipped is not None else "green"
        console.print(f"[{style}]{escape(describe(scoring))}[/{style}]", soft_wrap=True)
    if all(scoring.skipped is not None for scoring in scorings):
        raise fail("nothing scored: every model asked for was skipped (the reasons are above)")
