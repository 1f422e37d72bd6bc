"""A log writer to be killed: appends batches forever, printing each committed tree size.

Run as `python -m tests.ledger.crash_writer RECORDS_URL KEY_FILE SEED`.
"""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path

from graph.records import open_records
from ledger.entries import Entry
from ledger.keys import load_signer
from ledger.log import Log

ORIGIN = "civicgraph.test/crash"


async def main(url: str, key_file: str, seed: int) -> None:
    records = await open_records(url, migrate=False)
    log = Log(records, load_signer(Path(key_file), ORIGIN, create=False))
    await log.check_key()
    chance = random.Random(seed)
    print("ready", flush=True)
    while True:
        count = chance.randint(1, 3000)
        batch = [Entry("crash.test", f"w{seed}-{i}", {"n": i, "seed": seed}) for i in range(count)]
        appended = await log.append(batch)
        print(f"committed {appended.head.size}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
