"""A records writer beside others on one SQLite file: transactions that read, then write.

Run as `python -m tests.graph.records_writer RECORDS_URL COUNT`; exits 0 once all committed.
"""

from __future__ import annotations

import asyncio
import sys

from graph.records import open_records


async def main(url: str, count: int) -> None:
    records = await open_records(url, migrate=False)
    marks = ", ".join(records.placeholders(4))
    try:
        for n in range(count):
            async with records.transaction() as client:
                seen = await client.execute_query_dict("SELECT count(*) AS n FROM write_intent")
                await client.execute_query(
                    f"INSERT INTO write_intent (kind, subject, state, started_at) VALUES ({marks})",
                    ["test", f"seen-{seen[0]['n']}", "open", n],
                )
    finally:
        await records.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
