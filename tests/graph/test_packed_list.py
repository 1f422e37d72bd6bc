"""Lists packed into one string (LadybugDB's list properties) read back as they were written."""

from __future__ import annotations

import pytest

from graph.errors import UnstorableValue
from graph.packed_list import pack, unpack


@pytest.mark.parametrize(
    "items", [[], [""], ["", ""], ["a"], ["a,b", "c d", "쉼표"], ["\x01", "\\0"], None]
)
def test_every_list_reads_back_as_it_was_written(items: list[str] | None) -> None:
    assert unpack(pack(items)) == items


def test_the_empty_list_and_a_list_of_one_empty_item_differ() -> None:
    assert pack([]) != pack([""])


def test_an_item_holding_a_nul_is_refused() -> None:
    with pytest.raises(UnstorableValue, match="NUL"):
        pack(["a\x00b"])
