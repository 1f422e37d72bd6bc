"""Opening both stores the settings name, and checking they hold a complete seed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from civicgraph.settings import Settings
from graph.errors import StoreUnavailable
from graph.open import open_graph
from graph.records import Records, open_records
from graph.store import GraphStore
from ledger.keys import load_signer
from ledger.log import Log
from seeds.seed import is_seeded
from zk.bbs.curves import curve_for
from zk.bbs.suites import sha256_suite
from zk.credentials.epochs import Epoch
from zk.credentials.errors import IssuerKeyError
from zk.credentials.issuer_keys import IssuerKeyring

log = logging.getLogger("civicgraph")


@dataclass
class Stores:
    graph: GraphStore
    records: Records

    async def close(self) -> None:
        await self.graph.close()
        await self.records.close()

    def calls(self) -> dict[str, int]:
        return {"graph": self.graph.calls, "records": self.records.calls}


async def open_stores(
    settings: Settings, *, read_only: bool = False, migrate: bool = False, loading: bool = False
) -> Stores:
    """Open the graph and the records the settings name.

    Only `migrate=True` (seed, migrate) changes the records schema; otherwise a schema that lacks
    a migration is refused, so that several workers never race to migrate. `loading` (seed):
    SQLite records map no pages (`open_records`). A reader (`read_only`) is refused a graph an
    older seed keyed residents in as text (`GraphStore.keys_current`): StoreUnavailable.
    """
    graph = await open_graph(
        settings.graph_location,
        read_only=read_only,
        user=settings.graph_user,
        password=settings.graph_password.get_secret_value(),
    )
    try:
        if read_only and not await graph.keys_current():
            raise StoreUnavailable(OLDER_KEYS)
        records = await open_records(settings.records_location, migrate=migrate, loading=loading)
    except BaseException:
        await graph.close()
        raise
    return Stores(graph, records)


OLDER_KEYS = (
    "the graph keys residents by their ids as text, as seeds before 2026-12-02 did; this "
    "version keys them by number: run `civicgraph seed --reset`"
)


async def open_seeded(settings: Settings) -> Stores:
    """Both stores, or StoreUnavailable when they hold no complete seed."""
    stores = await open_stores(settings, read_only=settings.graph_read_only)
    if not await is_seeded(stores.graph, stores.records):
        older = not await stores.graph.keys_current()
        await stores.close()
        raise StoreUnavailable(
            OLDER_KEYS if older else "the stores hold no complete seed: run `civicgraph seed` first"
        )
    return stores


async def open_log(settings: Settings, records: Records) -> Log:
    """The city's log in `records`, signing with the key the settings name (made if missing).

    Refuses (LogError) a log whose current head another key signed.
    """
    from graph.records.log_tree import current_head
    from ledger.errors import LogError

    path = settings.log_key_path
    if not path.exists() and await current_head(records) is not None:
        raise LogError(
            f"no log signing key at {path}, but the log has signed heads: restore the key from "
            "its backup (a new key would look like a forked log)"
        )
    log = Log(records, load_signer(path, settings.log_origin))
    await log.check_key()
    return log


async def open_issuer_keys(settings: Settings, records: Records) -> IssuerKeyring:
    """The credential issuer's keyring; says loudly when this month's published key is missing.

    The server still starts (everything else works) and `requestCredential` answers
    ISSUER_UNAVAILABLE until the key is restored.
    """
    keyring = IssuerKeyring(settings.issuer_key_path, sha256_suite(curve_for(settings.bbs_backend)))
    try:
        await keyring.check(records, Epoch.at(datetime.now(UTC)))
    except IssuerKeyError as error:
        log.error("credential issuance is paused: %s", error)
    return keyring
