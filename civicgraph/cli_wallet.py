"""`civicgraph wallet`: a resident's credentials, encrypted at rest, and presentations from them.

JSON in, JSON out: `present` reads a verifier's request (as `presentationRequest` returns it)
and prints the presentation; `verify` checks one. Status lines go to stderr, so stdout can be
piped to a file or another program.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import httpx
import typer
from rich.table import Table

from civicgraph.cli_json import read_json
from civicgraph.console import console, err, fail
from zk.bbs.curves import Backend, curve_for
from zk.bbs.suites import Ciphersuite, sha256_suite
from zk.credentials.epochs import Epoch
from zk.credentials.errors import CredentialError
from zk.credentials.presentation import Presentation, PresentationRequest, present, verify
from zk.credentials.remote import IdentityClient, Refused
from zk.polls.ballots import make_ballot
from zk.polls.errors import PollRefusal
from zk.polls.model import Poll
from zk.wallet import Wallet, WalletError, create, open_wallet, save

wallet_app = typer.Typer(
    help="A resident's wallet: credentials from the city, presentations to services.",
    no_args_is_help=True,
)
T = TypeVar("T")

EXIT_REFUSED = 4
"""`verify`: the presentation was checked and refused (0 accepted, 1 could not check)."""

WalletPath = Annotated[
    Path,
    typer.Option(
        "--wallet",
        envvar="CIVIC_WALLET_FILE",
        help="The wallet file.",
        show_default=True,
    ),
]
Passphrase = Annotated[
    str | None,
    typer.Option(
        envvar="CIVIC_WALLET_PASSPHRASE",
        help="The wallet's passphrase (asked for when not given).",
        show_default=False,
    ),
]
Server = Annotated[
    str,
    typer.Option(envvar="CIVIC_SERVER_URL", help="The city's CivicGraph server."),
]
DEFAULT_WALLET = Path.home() / ".civicgraph" / "wallet.json"
DEFAULT_SERVER = "http://127.0.0.1:8000"


def _passphrase(given: str | None, *, confirm: bool = False) -> str:
    if given is not None:
        return given
    answer: str = typer.prompt("Wallet passphrase", hide_input=True, confirmation_prompt=confirm)
    return answer


def _suite() -> Ciphersuite:
    return sha256_suite(curve_for(Backend.ARKWORKS))


def _ask(work: Callable[[IdentityClient], Awaitable[T]], server: str, api_key: str | None) -> T:
    """Run `work` against the server; unreachable or odd answers exit 1, refusals exit 4."""

    async def go() -> T:
        async with httpx.AsyncClient(timeout=30) as http:
            return await work(IdentityClient(http, server, api_key))

    try:
        return asyncio.run(go())
    except Refused as refused:
        raise fail(f"{refused.code}: {refused}", EXIT_REFUSED) from None


def _open(path: Path, passphrase: str | None) -> tuple[Wallet, str]:
    secret = _passphrase(passphrase)
    return open_wallet(path, secret), secret


@wallet_app.command("init")
def init(wallet: WalletPath = DEFAULT_WALLET, passphrase: Passphrase = None) -> None:
    """Create a new, empty wallet (never overwrites one)."""
    try:
        made = create(wallet, _passphrase(passphrase, confirm=True))
    except WalletError as error:
        raise fail(str(error)) from None
    err.print(f"Created wallet {wallet} (wallet key {made.wallet_key.hex()[:16]}…).")
    err.print("Keep the passphrase: nobody, the city included, can recover it.")


@wallet_app.command("request")
def request(
    wallet: WalletPath = DEFAULT_WALLET,
    passphrase: Passphrase = None,
    server: Server = DEFAULT_SERVER,
    code: Annotated[
        str | None,
        typer.Option(help="The one-time enrolment code from the city (first request only)."),
    ] = None,
) -> None:
    """Ask the city for this month's credential and store it in the wallet."""
    held, secret = _open(wallet, passphrase)
    epoch = Epoch.at(datetime.now(UTC))
    suite = _suite()
    credential = _ask(lambda c: c.request_credential(held, suite, epoch, code), server, None)
    held.add(credential)
    try:
        save(wallet, held, secret)
    except (WalletError, OSError) as error:
        raise fail(f"the credential was issued but not saved: {error}") from None
    values = ", ".join(f"{k}={v}" for k, v in credential.attributes.as_dict().items())
    err.print(f"Stored credential {credential.key_id}: {values}")


@wallet_app.command("list")
def list_credentials(wallet: WalletPath = DEFAULT_WALLET, passphrase: Passphrase = None) -> None:
    """The wallet's credentials: key id, month of validity, attributes."""
    held, _ = _open(wallet, passphrase)
    table = Table(title=f"Credentials in {wallet}")
    for column in ("key id", "valid", "district", "over19", "over65", "welfare", "issuer"):
        table.add_column(column)
    for credential in held.credentials:
        epoch = Epoch.of_key(credential.key_id)
        a = credential.attributes
        table.add_row(
            credential.key_id,
            f"{epoch.starts:%Y-%m-%d} to {epoch.ends:%Y-%m-%d}",
            a.district,
            str(a.over19).lower(),
            str(a.over65).lower(),
            str(a.welfare).lower(),
            credential.issuer,
        )
    console.print(table)
    if not held.credentials:
        err.print("No credentials yet: `civicgraph wallet request --code CODE`.")


@wallet_app.command("present")
def present_command(
    request_file: Annotated[
        str, typer.Argument(metavar="REQUEST", help="The verifier's request (JSON file, or -).")
    ],
    wallet: WalletPath = DEFAULT_WALLET,
    passphrase: Passphrase = None,
) -> None:
    """Answer a verifier's request: print a presentation disclosing only what it asks."""
    try:
        asked = PresentationRequest.from_json(read_json(request_file))
    except CredentialError as error:
        raise fail(f"not a presentation request: {error}") from None
    if asked.expires_at <= datetime.now(UTC):
        raise fail(f"the request expired at {asked.expires_at:%Y-%m-%d %H:%M:%S %Z}")
    held, _ = _open(wallet, passphrase)
    credential = held.credential_for(asked.epochs)
    if credential is None:
        raise fail(
            f"no credential of {', '.join(asked.epochs)} in the wallet: `civicgraph wallet "
            "request` first"
        )
    try:
        answer = present(_suite(), credential.held(), asked)
    except CredentialError as error:
        raise fail(str(error)) from None
    shown = ", ".join(f"{k.value}={v}" for k, v in answer.disclosed.items())
    err.print(f"Disclosing to {asked.verifier}: {shown} (nothing else)")
    print(json.dumps(answer.to_json(), indent=2))


@wallet_app.command("verify")
def verify_command(
    presentation_file: Annotated[
        str, typer.Argument(metavar="PRESENTATION", help="The presentation (JSON file, or -).")
    ],
    server: Server = DEFAULT_SERVER,
    request_file: Annotated[
        str | None,
        typer.Option(
            "--request",
            help="Check offline against this request (JSON) and the server's published keys; "
            "without it the server checks and spends the request (needs --api-key).",
        ),
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(envvar="CIVIC_API_KEY", help="A developer key of the verifying service."),
    ] = None,
) -> None:
    """Check a presentation: exit 0 accepted, 4 refused, 1 could not check."""
    data = read_json(presentation_file)
    if request_file is None:
        if not api_key:
            raise fail("the server checks presentations for a service: give --api-key")
        verdict = _ask(lambda c: c.verify_presentation(data), server, api_key)
        values = {k: v for k, v in verdict["disclosed"].items() if v is not None}
        console.print_json(json.dumps({"accepted": True, "keyId": verdict["keyId"], **values}))
        return
    try:
        asked = PresentationRequest.from_json(read_json(request_file))
        answer = Presentation.from_json(data)
    except CredentialError as error:
        raise fail(str(error), EXIT_REFUSED) from None
    keys = _ask(lambda c: c.issuer_keys(), server, None)
    public_key = keys.get(answer.key_id)
    if public_key is None:
        raise fail(f"{server} has published no key {answer.key_id}", EXIT_REFUSED)
    if asked.expires_at <= datetime.now(UTC):
        raise fail("the request has expired", EXIT_REFUSED)
    try:
        disclosed = verify(_suite(), answer, asked, public_key)
    except CredentialError as error:
        raise fail(f"{error.code.value}: {error}", EXIT_REFUSED) from None
    shown = {k.value: v for k, v in disclosed.items()}
    console.print_json(json.dumps({"accepted": True, "keyId": answer.key_id, **shown}))
    err.print("Checked offline: proof, binding and epoch. Only the server can refuse a replay.")


@wallet_app.command("vote")
def vote(
    poll_id: Annotated[str, typer.Argument(help="The poll's id (poll-…).")],
    option: Annotated[str, typer.Argument(help="The option, exactly as the poll lists it.")],
    wallet: WalletPath = DEFAULT_WALLET,
    passphrase: Passphrase = None,
    server: Server = DEFAULT_SERVER,
) -> None:
    """Vote anonymously: a ballot from the credential of the poll's month, counted once."""
    held, _ = _open(wallet, passphrase)
    suite = _suite()

    async def cast(client: IdentityClient) -> tuple[Poll, dict[str, Any]]:
        poll = await client.poll(poll_id)
        credential = next((c for c in held.credentials if c.epoch == poll.epoch), None)
        if credential is None:
            raise fail(
                f"the poll takes credentials of {poll.epoch}; the wallet has none: "
                "`civicgraph wallet request` in that month"
            )
        try:
            ballot = make_ballot(suite, credential.held(), poll, option)
        except PollRefusal as error:
            raise fail(f"{error.code.value}: {error}", EXIT_REFUSED) from None
        return poll, await client.cast_ballot(ballot)

    poll, receipt = _ask(cast, server, None)
    err.print(f"Voted {option!r} in {poll.question!r}.")
    console.print_json(json.dumps(receipt))
