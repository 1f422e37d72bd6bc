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
query ($code: String!, $from: Int, $to: Int) { district(code: $code) {
  dong { code residentCount(bornFrom: $from, bornTo: $to) }
} }
"""
RANGES = [(None, None), (None, 1960), (1961, 1990), (1975, 1975), (1991, None)]
"""One query per range: a gu's dong asked several counts at once would pass the public budget."""


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
            answer = {}
            async with backend.client() as http:
                for low, high in RANGES:
                    variables: dict[str, object] = {"code": GU, "from": low, "to": high}
                    body = await graphql(http, BY_DONG, variables, key)
                    assert "errors" not in body, body
                    for dong in body["data"]["district"]["dong"]:  # type: ignore[index]
                        answer[dong["code"], low, high] = dong["residentCount"]
            answers.append(answer)
    # then both give the same answers to public and developer callers
    assert all(answer == answers[0] for answer in answers)
    # and each is the sum of the published cells it covers
    for (code, low, high), got in answers[0].items():
        expected = sum(
            rounding.publish((TABLE, gu, dong, year), n)
            for (gu, dong, year), n in cells.items()
            if dong == code and (low is None or year >= low) and (high is None or year <= high)
        )
        assert got == expected, (code, low, high)
