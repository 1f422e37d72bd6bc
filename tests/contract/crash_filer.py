"""A complaint desk: files cases and closes them, many at once, until killed or LIMIT are filed.

Prints `ready`, then `filed ID` once a filing is acknowledged and `closed ID` once its status
change is. Run as `python -m tests.contract.crash_filer GRAPH_URL RECORDS_URL [LIMIT]`.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import Iterator

from graph.locate import DistrictLocator
from graph.open import open_graph
from graph.records import open_records
from graph.records.api_keys import Tier
from resolvers.core.context import Context, Limits
from resolvers.services.filing import NewCase, change_status, file_case
from resolvers.services.types import CaseStatus

IN_FLIGHT = 16
"""Filings under way at any moment, so that a kill lands inside some of them."""


async def desk(context: Context, number: int, tickets: Iterator[int]) -> None:
    for _ in tickets:
        case = await file_case(context, NewCase("noise", f"crash desk {number}", 37.5115, 127.0595))
        print(f"filed {case['id']}", flush=True)
        await change_status(context, case, CaseStatus.CLOSED, "done", actor="operator")
        print(f"closed {case['id']}", flush=True)


async def main(graph_url: str, records_url: str, limit: int | None) -> None:
    store = await open_graph(graph_url)
    records = await open_records(records_url, migrate=False)
    locator = await DistrictLocator.from_store(store)
    context = Context(store, records, Tier.OPERATOR, Limits(), locator)
    tickets = iter(range(limit)) if limit is not None else itertools.count()
    print("ready", flush=True)
    await asyncio.gather(*(desk(context, n, tickets) for n in range(IN_FLIGHT)))
    await records.close()
    await store.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None))
