"""A list of strings kept as one string, the way LadybugDB stores a list property (a sensor's
`data_types`, a dataset's `formats` and `keywords`).

LadybugDB 0.22 reads a `STRING[]` column slowly wherever it scans a table: a gu's 76 sensors at
scale 1.0 took 1.07 ms to read with their `data_types` as a list, 0.46 ms as one string and
0.42 ms without it (timed on the calling thread, bench/README.md "The app query at scale 1.0";
the timing script was a scratch one, not kept in bench/), and the app query's hop spent most
of its time there. So the list is stored as one `STRING`: each item after a NUL (U+0000). No stored
text holds a NUL (`graph.storable_text`: every door refuses it, since PostgreSQL cannot store
it), so the separator never occurs inside an item. The empty list is the empty string, and a
list of one empty item a lone NUL, so every list reads back as it was written; NULL stays NULL.
Neo4j stores lists natively and needs none of this.
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.errors import UnstorableValue

SEPARATOR = "\x00"


def pack(items: Sequence[str] | None) -> str | None:
    """`items` as one string: "" for [], "\\0a\\0b" for ["a", "b"]; None for None. Raises
    UnstorableValue for an item holding a NUL, which no door lets through."""
    if items is None:
        return None
    if any(SEPARATOR in item for item in items):
        raise UnstorableValue("a list item holds a NUL character (U+0000)")
    return "".join(SEPARATOR + item for item in items)


def unpack(text: str | None) -> list[str] | None:
    """The list `pack` made `text` from; None for None."""
    if text is None:
        return None
    return text.split(SEPARATOR)[1:]
