"""Sources every page shares (the gu's names, the reading bands) and reading several sources at
once."""

from __future__ import annotations

import asyncio
from typing import Any

from dashboards.sources import Answer, Reader, Source

DISTRICTS = Source(
    "Districts",
    """
query Districts {
  districts(level: GU) { code nameKo nameEn }
}""",
)
BANDS = Source(
    "ReadingBands",
    """
query ReadingBands {
  readingBands { dataType name lower upper source fromHour toHour }
}""",
)


async def read_all(
    reader: Reader, wanted: dict[str, tuple[Source, dict[str, Any] | None]]
) -> dict[str, Answer]:
    """Each named source's answer, read concurrently."""
    names = list(wanted)
    answers = await asyncio.gather(*(reader.read(*wanted[n]) for n in names))
    return dict(zip(names, answers, strict=True))


def gu_variables(gu: str | None) -> dict[str, Any]:
    return {"district": gu} if gu else {}
