"""`civicgraph ml`: train the city's models, list them, show their cards, roll one back.

Training writes each model into the registry (`CIVIC_ML_DIR`, default var/ml) with its card,
makes it the serving version and appends a `model.deployed` entry to the verifiable log, so
anyone can later check which model served when, with which figures (docs/analytics.md).
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from civicgraph.console import console, err, run
from civicgraph.settings import Settings
from civicgraph.stores import open_log
from graph.records import open_records
from ml.card import card_markdown
from ml.catalogue import ModelModule, module_of
from ml.errors import MAX_SEED, ModelNotTrained, RegistryDamaged, UnknownModel
from ml.registry import MODELS, Registry, StoredModel, check_name, deployment_entry
from ml.trained import TrainedModel, figure

ml_app = typer.Typer(
    help="The city's models (LightGBM): train, list, show a card, roll back.",
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
            help=f"Models to train (default: all of {', '.join(MODELS)}).", show_default=False
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
    names = [check_name(name) for name in (models or MODELS)]
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
            f"[yellow]Missed a target: {', '.join(missed)}: `civicgraph ml card NAME` shows "
            "each figure; docs/analytics.md says where each model stands.[/yellow]",
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
    for name in MODELS:
        count = str(len(registry.versions(name)))
        try:
            stored = registry.load(name)
        except ModelNotTrained:
            table.add_row(name, "not trained", "", "", count)
            continue
        except (RegistryDamaged, UnknownModel) as damaged:
            table.add_row(name, f"[red]damaged[/red]: {escape(str(damaged))}", "", "", count)
            continue
        card = stored.card
        met = "yes" if card["meets_targets"] else "no"
        trained_at = card["trained_at"][:16].replace("T", " ")  # UTC, to the minute
        table.add_row(name, stored.version, trained_at, met, count)
    console.print(table)


@ml_app.command("versions")
def versions(name: Annotated[str, typer.Argument(help=f"One of {', '.join(MODELS)}.")]) -> None:
    """Every trained version of a model, oldest first, and which one serves."""
    registry = Registry(Settings().ml_path)
    try:
        serving = registry.current_version(check_name(name))
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
        table.add_row(version, trained_at, met, "yes" if version == serving else "")
    console.print(table)


@ml_app.command("card")
def card(
    name: Annotated[str, typer.Argument(help=f"One of {', '.join(MODELS)}.")],
    version: Annotated[
        str | None, typer.Option(help="A version (default: the serving one).")
    ] = None,
) -> None:
    """Print a model's card (Markdown): data, features, metrics beside baselines, uses."""
    registry = Registry(Settings().ml_path)
    version = version or registry.current_version(check_name(name))
    if version is None:
        raise ModelNotTrained(name)
    typer.echo(card_markdown(registry.card(name, version)), nl=False)


@ml_app.command("promote")
def promote(
    name: Annotated[str, typer.Argument(help=f"One of {', '.join(MODELS)}.")],
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
    stored = registry.verified(check_name(name), version)
    if registry.current_version(name) == stored.version:
        console.print(f"{name}: version {stored.version} already serves; nothing logged.")
        return
    leaf = run(lambda: _deploy(settings, stored, "civicgraph ml promote"))
    console.print(f"{name}: version {stored.version} serves (log entry {leaf}).")
