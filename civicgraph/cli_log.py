"""`civicgraph log`: check the spec's vectors, show the signed head, prove, audit two heads."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from civicgraph.cli_bounds import MAX_INT64
from civicgraph.console import console, err, fail, print_checks, run
from civicgraph.settings import Settings
from civicgraph.stores import open_log
from graph.records import open_records
from ledger.checkpoint import Checkpoint, Verifier, open_checkpoint
from ledger.errors import CheckpointError, LedgerError, ProofError
from ledger.keys import load_signer
from ledger.log import Log
from ledger.remote import open_source
from ledger.vectors import run_probes
from ledger.verify import verify_consistency

log_app = typer.Typer(
    help="The verifiable log (RFC 9162): vectors, signed heads, proofs, audits.",
    no_args_is_help=True,
)
T = TypeVar("T")


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


async def _with_log(settings: Settings, work: Callable[[Log], Awaitable[T]]) -> T:
    records = await open_records(settings.records_location, migrate=False)
    try:
        return await work(await open_log(settings, records))
    finally:
        await records.close()


@log_app.command("check-vectors")
def check_vectors(
    directory: Annotated[
        Path, typer.Argument(help="A folder laid out like transparency-dev/merkle's testdata.")
    ],
) -> None:
    """Run every inclusion and consistency probe under DIRECTORY: one line per file, a summary.

    Exit code 1 when any probe fails, or when DIRECTORY holds no probes.
    """
    passed, failed = print_checks(run_probes(directory), directory)
    console.print(f"{passed + failed} probes: {passed} passed, {failed} failed")
    if failed:
        raise typer.Exit(code=1)


@log_app.command("head")
def head() -> None:
    """Print the current signed tree head (a C2SP checkpoint note): save it to audit later."""
    note = run(lambda: _with_log(Settings(), lambda log: _note(log)))
    typer.echo(note, nl=False)


async def _note(log: Log) -> str:
    return (await log.head()).note


@log_app.command("key")
def key() -> None:
    """Print the log's verifier key (NAME+KEYID+KEY): what an auditor needs to check heads."""
    settings = Settings()
    signer = load_signer(settings.log_key_path, settings.log_origin, create=False)
    typer.echo(signer.verifier.encode())


@log_app.command("prove-inclusion")
def prove_inclusion(
    index: Annotated[int, typer.Argument(help="The leaf's index (from 0).", min=0, max=MAX_INT64)],
    size: Annotated[
        int | None,
        typer.Option(
            help="Tree size to prove against (default: the current head).", min=1, max=MAX_INT64
        ),
    ] = None,
) -> None:
    """Print an inclusion proof as JSON (the fields of transparency-dev's probes)."""

    async def work(log: Log) -> dict[str, Any]:
        tree_size = size if size is not None else (await log.head()).size
        proof = await log.inclusion_proof(index, tree_size)
        entry = await log.entry(index)
        return {
            "leafIdx": index,
            "treeSize": tree_size,
            "root": _b64(await log.root(tree_size)),
            "leafHash": _b64(entry.leaf_hash),
            "proof": [_b64(item) for item in proof],
        }

    typer.echo(json.dumps(run(lambda: _with_log(Settings(), work)), indent=2))


@log_app.command("prove-consistency")
def prove_consistency(
    size1: Annotated[
        int, typer.Argument(help="The older tree size (at least 1).", min=1, max=MAX_INT64)
    ],
    size2: Annotated[
        int | None,
        typer.Argument(
            help="The newer tree size (default: the current head).", min=1, max=MAX_INT64
        ),
    ] = None,
) -> None:
    """Print a consistency proof as JSON (the fields of transparency-dev's probes)."""

    async def work(log: Log) -> dict[str, Any]:
        newer = size2 if size2 is not None else (await log.head()).size
        proof = await log.consistency_proof(size1, newer)
        return {
            "size1": size1,
            "size2": newer,
            "root1": _b64(await log.root(size1)),
            "root2": _b64(await log.root(newer)),
            "proof": [_b64(item) for item in proof],
        }

    typer.echo(json.dumps(run(lambda: _with_log(Settings(), work)), indent=2))


def _read_note(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise fail(f"cannot read the tree head {path}: {error}") from None


def verifier_from(key_text: str | None, settings: Settings) -> Verifier:
    """The verifier key given (text or @FILE), else this installation's log key."""
    try:
        if key_text is None:
            return load_signer(settings.log_key_path, settings.log_origin, create=False).verifier
        if key_text.startswith("@"):
            key_text = Path(key_text[1:]).read_text(encoding="utf-8")
        return Verifier.decode(key_text)
    except (LedgerError, OSError, UnicodeDecodeError) as error:
        raise fail(f"no verifier key: {error}") from None


async def _remote_proof(server: str, size1: int, size2: int) -> list[bytes]:
    async with open_source(server) as source:
        return await source.consistency(size1, size2)


@log_app.command("audit")
def audit(
    old: Annotated[Path, typer.Argument(help="A saved tree head (`civicgraph log head`).")],
    new: Annotated[Path, typer.Argument(help="A later saved tree head.")],
    key: Annotated[
        str | None,
        typer.Option(help="Verifier key NAME+KEYID+KEY, or @FILE (default: this log's key)."),
    ] = None,
    server: Annotated[
        str | None,
        typer.Option(help="Fetch the proof from this CivicGraph server instead of the records."),
    ] = None,
) -> None:
    """Check both heads' signatures and that NEW extends OLD. Exit code 1 on any mismatch."""
    settings = Settings()
    verifier = verifier_from(key, settings)
    heads: list[Checkpoint] = []
    for path in (old, new):
        try:
            heads.append(open_checkpoint(_read_note(path), verifier))
        except CheckpointError as error:
            raise fail(f"{path}: {error}") from None
    first, second = heads
    if first.size > second.size:
        raise fail(f"{new} (size {second.size}) is older than {old} (size {first.size})")
    if first.size == 0:
        console.print("consistent: the empty tree is a prefix of every tree")
        return
    if server is not None:
        proof = run(lambda: _remote_proof(server, first.size, second.size))
    else:
        proof = run(
            lambda: _with_log(settings, lambda log: log.consistency_proof(first.size, second.size))
        )
    try:
        verify_consistency(first.size, second.size, proof, first.root, second.root)
    except ProofError as error:
        err.print(
            f"[red]INCONSISTENT[/red] {old} (size {first.size}) and {new} (size {second.size}): "
            f"{error}",
            soft_wrap=True,
            highlight=False,
        )
        raise typer.Exit(code=1) from None
    console.print(
        f"consistent: size {first.size} -> {second.size}, both signed by {verifier.name} "
        f"(key {verifier.key_id.hex()})",
        highlight=False,
    )
