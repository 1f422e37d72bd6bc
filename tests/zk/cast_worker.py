"""One voter's process in the race: waits for the start, casts one ballot, says how it went.

Run as `python -m tests.zk.cast_worker RECORDS_URL LOG_KEY BALLOT_FILE START_AT CAST_AT`;
prints `accepted` or the refusal's code.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import datetime
from pathlib import Path

from graph.records import open_records
from ledger.keys import load_signer
from ledger.log import Log
from tests.zk.city import ORIGIN
from tests.zk.residents import SUITE
from zk.polls.errors import PollRefusal
from zk.polls.service import cast_ballot


async def main(url: str, key: str, ballot: object, start_at: float, cast_at: str) -> None:
    records = await open_records(url, migrate=False)
    try:
        log = Log(records, load_signer(Path(key), ORIGIN, create=False))
        await asyncio.sleep(max(0.0, start_at - time.time()))
        try:
            await cast_ballot(log, SUITE, ballot, datetime.fromisoformat(cast_at))
            print("accepted", flush=True)
        except PollRefusal as error:
            print(error.code.value, flush=True)
    finally:
        await records.close()


if __name__ == "__main__":
    ballot = json.loads(Path(sys.argv[3]).read_text())
    asyncio.run(main(sys.argv[1], sys.argv[2], ballot, float(sys.argv[4]), sys.argv[5]))
