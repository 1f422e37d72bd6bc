"""The polls and trust pages render from their sources' answers, refused ones included: a
refused source becomes a failed panel naming its code, never an exception (no server: the
reader answers from a table keyed by operation name)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.requests import HTTPConnection

from dashboards.pages import View, polls, trust
from dashboards.sources import CURRENT, Answer, Reader
from graph.records.api_keys import Tier
from tests.dashboards.test_polls_figures import HEAD, LISTING, POLL
from tests.dashboards.test_trust_figures import CERTIFICATES, CHECKPOINTS, CONTRACTS, PROCUREMENT

DISTRICTS = {"districts": [{"code": "11680", "nameKo": "강남구", "nameEn": "Gangnam-gu"}]}
NOT_FOUND = Answer(None, [{"message": "no poll", "extensions": {"code": "not_found"}}])


def refused(code: str) -> Answer:
    return Answer(None, [{"message": code, "extensions": {"code": code}}])


class Answers:
    """A reader's execute: the answer for each operation name, and the variables asked."""

    def __init__(self, answers: dict[str, Answer]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, dict[str, Any]]] = []

    async def __call__(self, _: HTTPConnection, document: str, variables: dict[str, Any]) -> Answer:
        found = re.search(r"query (\w+)", document)
        assert found is not None
        self.asked.append((found.group(1), variables))
        return self.answers[found.group(1)]


@pytest.fixture(autouse=True)
def in_a_request() -> Iterator[None]:
    token = CURRENT.set(HTTPConnection({"type": "http", "headers": []}))
    yield
    CURRENT.reset(token)


def text_of(node: Any) -> str:
    """Every string in a rendered component tree, and its props, as one string."""
    return json.dumps(node, default=lambda c: c.to_plotly_json(), ensure_ascii=False)


def view(answers: Answers, **query: str) -> View:
    return View("en", None, Tier.ANALYST, Reader(answers), query)


POLL_ANSWERS = {
    "PollList": Answer(LISTING),
    "Districts": Answer(DISTRICTS),
    "PollDetail": Answer({"poll": POLL | {"state": "OPEN"}, "logHead": HEAD}),
}


async def test_polls_page_shows_the_wanted_poll_and_its_verify_command() -> None:
    # given a reader answering every source, when the page asks for poll-c
    answers = Answers(POLL_ANSWERS)
    page = text_of(await polls.render(view(answers, poll="poll-c")))

    # then the detail is read for poll-c and the command names it and the log's key
    assert ("PollDetail", {"id": "poll-c"}) in answers.asked
    assert f"civicgraph poll verify poll-c --key {HEAD['verifierKey']}" in page
    assert "/dashboard/polls?poll=poll-a" in page  # the other polls are links


async def test_polls_page_with_a_refused_listing_says_so() -> None:
    answers = Answers(POLL_ANSWERS | {"PollList": refused("rate_limited")})
    page = text_of(await polls.render(view(answers)))
    assert "rate_limited" in page
    assert "PollDetail" not in [name for name, _ in answers.asked]


async def test_polls_page_with_a_vanished_poll_shows_a_failed_panel() -> None:
    answers = Answers(POLL_ANSWERS | {"PollDetail": NOT_FOUND})
    page = text_of(await polls.render(view(answers)))
    assert "not_found" in page
    assert "panel-error" in page


async def test_polls_page_without_polls_says_there_are_none() -> None:
    answers = Answers(POLL_ANSWERS | {"PollList": Answer({"open": [], "closed": []})})
    page = text_of(await polls.render(view(answers)))
    assert "No open or recently closed polls." in page


async def test_trust_page_renders_every_figure() -> None:
    answers = Answers(
        {
            "CertificateStatistics": Answer(CERTIFICATES),
            "ProcurementStatistics": Answer(PROCUREMENT),
            "ContractsInFlight": Answer(CONTRACTS),
            "LogCheckpoints": Answer(CHECKPOINTS),
        }
    )
    page = text_of(await trust.render(view(answers)))
    for panel in ("certificates-by-kind", "cycle-vs-baseline", "contracts-in-flight"):
        assert f"panel-{panel}" in page
    assert "panel-log-checkpoints" in page
    states = dict(answers.asked)["ContractsInFlight"]["state"]
    assert "PAID" not in states


async def test_trust_page_with_every_source_refused_shows_failed_panels() -> None:
    answers = Answers(
        {
            name: refused("query_too_costly")
            for name in (
                "CertificateStatistics",
                "ProcurementStatistics",
                "ContractsInFlight",
                "LogCheckpoints",
            )
        }
    )
    page = text_of(await trust.render(view(answers)))
    assert page.count("query_too_costly") == 4
    assert "–" in page  # the tiles
