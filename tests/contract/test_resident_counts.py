"""Resident counts on both backends: the same cells, the same published (rounded) answers."""

from __future__ import annotations

from typing import Any

from civicgraph.settings import Settings
from graph.records.api_keys import Tier
from resolvers.city.residents import TABLE
from resolvers.core.rounding_key import load_rounding
from tests.contract.conftest import Backend
from tests.helpers import graphql

GU = "11680"
BY_DONG = """
query ($code: String!) { district(code: $code) { dong {
  code all: residentCount old: residentCount(bornTo: 1960)
  mid: residentCount(bornFrom: 1961, bornTo: 1990)
  one: residentCount(bornFrom: 1975, bornTo: 1975) young: residentCount(bornFrom: 1991)
} } }
"""
RANGES = {"all": (None, None), "old": (None, 1960), "mid": (1961, 1990), "one": (1975, 1975),
          "young": (1991, None)}  # fmt: skip


async def dong_cells(backend: Backend) -> dict[tuple[Any, ...], int]:
    """The gu's cells that have a dong (tests add residents without one, to one backend only)."""
    cells = await backend.stores.graph.count_cells(
        "Citizen", ("district_code", "dong_code", "birth_year"), {"district_code": [GU]}
    )
    return {cell: n for cell, n in cells.items() if cell[1] is not None}


async def test_both_backends_publish_the_same_cells_and_answers(
    embedded: Backend, scale_out: Backend, settings: Settings
) -> None:
    # given the same seeded cells on LadybugDB and Neo4j
    cells = await dong_cells(embedded)
    assert cells == await dong_cells(scale_out)
    assert len(cells) > 100
    rounding = load_rounding(settings.rounding_key_path, create=False)
    answers = []
    for backend in (embedded, scale_out):
        for key in (None, backend.keys[Tier.DEVELOPER]):
            async with backend.client() as http:
                body = await graphql(http, BY_DONG, {"code": GU}, key)
            assert "errors" not in body, body
            answers.append(body["data"]["district"]["dong"])  # type: ignore[index]
    # then both give the same answers to public and developer callers
    assert all(answer == answers[0] for answer in answers)
    # and each is the sum of the published cells it covers
    for dong in answers[0]:
        for alias, (low, high) in RANGES.items():
            expected = sum(
                rounding.publish((TABLE, gu, d, year), n)
                for (gu, d, year), n in cells.items()
                if d == dong["code"]
                and (low is None or year >= low)
                and (high is None or year <= high)
            )
            assert dong[alias] == expected, (dong["code"], alias)
