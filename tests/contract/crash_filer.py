"""A complaint desk to be killed: files cases and closes them, many at once, forever.

Prints `ready`, then `filed ID` once a filing is acknowledged and `closed ID` once its status
change is. Run as `python -m tests.contract.crash_filer GRAPH_URL RECORDS_URL`.
"""

from __future__ import annotations

import asyncio
import sys

from graph.locate import DistrictLocator
from graph.open import open_graph
from graph.records import open_records
from graph.records.api_keys import Tier
from resolvers.core.context import Context, Limits
from resolvers.services.filing import NewCase, change_status, file_case
from resolvers.services.types import CaseStatus

IN_FLIGHT = 16
"""Filings under way at any moment, so that a kill lands inside some of them."""


async def desk(context: Context, number: int) -> None:
    while True:
        case = await file_case(context, NewCase("noise", f"crash desk {number}", 37.5115, 127.0595))
        print(f"filed {case['id']}", flush=True)
        await change_status(context, case, CaseStatus.CLOSED, "done", actor="operator")
        print(f"closed {case['id']}", flush=True)


async def main(graph_url: str, records_url: str) -> None:
    store = await open_graph(graph_url)
    records = await open_records(records_url, migrate=False)
    locator = await DistrictLocator.from_store(store)
    context = Context(store, records, Tier.OPERATOR, Limits(), locator)
    print("ready", flush=True)
    await asyncio.gather(*(desk(context, n) for n in range(IN_FLIGHT)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
