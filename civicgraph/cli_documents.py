"""`civicgraph documents register|list|remove`: the trusted documents an operator registers
from a client's persisted-query manifest (Apollo's or Relay's), for
`CIVIC_PERSISTED_DOCUMENTS=trusted` (docs/operations.md, "Trusted documents")."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from civicgraph.console import console, run
from civicgraph.persisted_manifest import MAX_MANIFEST_BYTES, ManifestInvalid, read_manifest
from civicgraph.settings import Settings
from graph.records import Records, open_records
from graph.records.persisted_documents import (
    PersistedDocument,
    check_client,
    list_documents,
    register_documents,
    remove_documents,
)

T = TypeVar("T")
documents_app = typer.Typer(
    help="Trusted documents: the operations registered clients may run.", no_args_is_help=True
)


def _read(file: Path) -> bytes:
    try:
        with file.open("rb") as opened:
            data = opened.read(MAX_MANIFEST_BYTES + 1)
    except OSError as error:
        raise ManifestInvalid(f"cannot read {file}: {error.strerror or error}") from None
    return data


@documents_app.command("register")
def documents_register(
    file: Annotated[
        Path,
        typer.Argument(
            help="The manifest: Apollo's persisted-query-manifest.json or Relay's "
            "persisted_queries.json.",
            exists=True,
            dir_okay=False,
        ),
    ],
    client: Annotated[
        str, typer.Option(help="The client the manifest belongs to (an app, a release).")
    ],
) -> None:
    """Check every document of FILE (its id is its text's hash; it validates against the
    schema) and register them for CLIENT. Nothing is registered if one is refused."""
    # the schema's modules are imported here, not by every CLI command: they take ~1.3 s
    from resolvers.schema import build_schema

    settings = Settings()
    check_client(client)
    schema = build_schema(max_tokens=settings.graphql_max_tokens)._schema
    documents = read_manifest(
        _read(file),
        client,
        schema,
        settings.graphql_max_document_chars,
        settings.graphql_max_tokens,
    )

    async def work(records: Records) -> int:
        return await register_documents(records, client, documents)

    added = run(lambda: _records(settings, work))
    console.print(
        f"Registered {added} new document(s) for {client!r} "
        f"({len(documents) - added} already registered).",
        highlight=False,
    )


@documents_app.command("list")
def documents_list(
    client: Annotated[str | None, typer.Option(help="Only this client's documents.")] = None,
) -> None:
    """List registered documents: client, id, operation, SHA-256."""

    async def work(records: Records) -> list[PersistedDocument]:
        return await list_documents(records, client)

    table = Table(title="Trusted documents")
    for column in ("client", "id", "operation", "sha256", "registered"):
        table.add_column(column)
    for document in run(lambda: _records(Settings(), work)):
        registered = f"{document.created_at:%Y-%m-%d %H:%M}" if document.created_at else ""
        table.add_row(
            document.client,
            document.document_id,
            f"{document.operation_type} {document.name or '(anonymous)'}",
            document.sha256,
            registered,
        )
    console.print(table)


@documents_app.command("remove")
def documents_remove(
    client: Annotated[str, typer.Argument(help="The client whose documents go.")],
    document_id: Annotated[
        str | None,
        typer.Option("--id", help="Only this document (its manifest id or SHA-256)."),
    ] = None,
) -> None:
    """Remove CLIENT's documents (or one of them): they stop running at once in trusted mode."""

    async def work(records: Records) -> int:
        return await remove_documents(records, client, document_id)

    removed = run(lambda: _records(Settings(), work))
    console.print(f"Removed {removed} document(s) of {client!r}.", highlight=False)


async def _records(settings: Settings, work: Callable[[Records], Awaitable[T]]) -> T:
    """The records alone: documents are managed while `serve` holds the embedded graph."""
    records = await open_records(settings.records_location, migrate=False)
    try:
        return await work(records)
    finally:
        await records.close()
