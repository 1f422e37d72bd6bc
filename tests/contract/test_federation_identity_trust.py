"""The identity and trust subgraphs' entities on SQLite and PostgreSQL: Poll, Certificate,
Contract and LogEntry resolve through `_entities` on their own subgraph, a missing one is a
NOT_FOUND in its slot, 100 representations cost at most 2 records calls; `District.polls`
through the merged schema; every domain's refusal through the one `Error` interface."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from graph.errors import CivicGraphError
from graph.records.api_keys import Tier
from ledger import certificates
from ledger.documents import CertificateKind
from ledger.log import Log
from ledger.procurement import contracts
from resolvers.schema import build_schema
from tests.contract.conftest import Backend, unique
from tests.contract.entities import BATCH, context_of, entities
from tests.contract.test_certificates_api import PERMIT
from zk.credentials.epochs import Epoch
from zk.polls.model import Eligibility
from zk.polls.service import create_poll

SELECTIONS = {
    "Poll": "... on Poll { id question totalBallots tally { option ballots } }",
    "Certificate": "... on Certificate { id kind issuanceEntry { index kind subject } }",
    "Contract": "... on Contract { id title state }",
    "LogEntry": "... on LogEntry { index kind subject leafHash }",
}
SUBGRAPH = {"Poll": "identity", "Certificate": "trust", "Contract": "trust", "LogEntry": "trust"}
NOW = datetime.now(UTC)
GANGNAM, JONGNO, GANGDONG = "11680", "11110", "11740"


@dataclass(frozen=True)
class Made:
    """What this module wrote on one backend, each a batch of BATCH."""

    polls: list[str]
    certificates: list[str]
    contracts: list[str]
    leaves: list[int]


MADE: dict[str, Made] = {}


def log_of(backend: Backend) -> Log:
    log: Log = backend.app.state.log
    return log


async def new_poll(
    backend: Backend, districts: tuple[str, ...], opens: timedelta, closes: timedelta
) -> str:
    made = await create_poll(
        log_of(backend),
        f"Question {unique()}?",
        ["yes", "no"],
        Eligibility(districts=districts),
        str(Epoch.at(NOW)),
        NOW + opens,
        NOW + closes,
    )
    return made.poll_id


async def made_on(backend: Backend) -> Made:
    """BATCH polls (for Gangdong only, closing in 300 days), certificates and contracts."""
    if backend.name not in MADE:
        log = log_of(backend)
        polls = [
            await new_poll(backend, (GANGDONG,), timedelta(0), timedelta(days=300))
            for _ in range(BATCH)
        ]
        issued = [
            (await certificates.issue(log, CertificateKind.BUILDING_PERMIT, PERMIT)).certificate
            for _ in range(BATCH)
        ]
        drafts = [
            await contracts.create(log, f"Laptops {n}", "Digital", "Digital", 1_000_000)
            for n in range(BATCH)
        ]
        MADE[backend.name] = Made(
            polls=polls,
            certificates=[row.cert_id for row in issued],
            contracts=[row.contract_id for row in drafts],
            leaves=[row.leaf_index for row in issued],
        )
    return MADE[backend.name]


def representations(made: Made, type_name: str) -> list[dict[str, Any]]:
    if type_name == "LogEntry":
        return [{"__typename": "LogEntry", "index": index} for index in made.leaves]
    ids = {"Poll": made.polls, "Certificate": made.certificates, "Contract": made.contracts}
    return [{"__typename": type_name, "id": key} for key in ids[type_name]]


async def owned_entities(backend: Backend, type_name: str, reps: list[dict[str, Any]]) -> Any:
    """`_entities` of `type_name` on the subgraph that owns it, selecting SELECTIONS[type_name]."""
    return await entities(backend, SUBGRAPH[type_name], SELECTIONS[type_name], reps)


@pytest.mark.parametrize("type_name", list(SUBGRAPH))
async def test_entities_resolve_100_representations_with_at_most_2_records_calls(
    backend: Backend, type_name: str
) -> None:
    # given BATCH entities of the type on this backend
    made = await made_on(backend)
    reps = representations(made, type_name)
    records = backend.stores.records
    # when a gateway asks the owner subgraph for all of them at once
    before = records.calls
    result = await owned_entities(backend, type_name, reps)
    calls = records.calls - before
    # then each comes back in its slot, for at most 2 records calls in all
    assert result.errors is None, result.errors
    found = result.data["_entities"]
    key = "index" if type_name == "LogEntry" else "id"
    assert [entity[key] for entity in found] == [rep[key] for rep in reps]
    assert calls <= 2, calls


@pytest.mark.parametrize(
    ("type_name", "missing"),
    [
        ("Poll", {"id": "poll-000000000000"}),
        ("Certificate", {"id": "BP-0000-nothing"}),
        ("Contract", {"id": "ct-nothing"}),
        ("LogEntry", {"index": 2**31 - 1}),
        ("LogEntry", {"index": -1}),
    ],
)
async def test_entities_missing_one_is_not_found_in_its_slot(
    backend: Backend, type_name: str, missing: dict[str, Any]
) -> None:
    # given a real entity, then one that does not exist
    made = await made_on(backend)
    real = representations(made, type_name)[0]
    # when both are asked
    result = await owned_entities(backend, type_name, [real, {"__typename": type_name, **missing}])
    # then the real one resolves and the missing one is NOT_FOUND in slot 1
    assert result.data["_entities"][0] is not None
    assert result.data["_entities"][1] is None
    assert [(e.path, (e.extensions or {}).get("code")) for e in result.errors] == [
        (["_entities", 1], "not_found")
    ]


@pytest.mark.parametrize("index", [True, "3", 2**31, 10**30, 1.5])
async def test_entities_log_entry_index_is_an_int(backend: Backend, index: object) -> None:
    # when a LogEntry representation's key is not a GraphQL Int
    result = await owned_entities(backend, "LogEntry", [{"__typename": "LogEntry", "index": index}])
    # then it is refused as invalid in its slot, before any SQL
    assert [(e.extensions or {}).get("code") for e in result.errors] == ["invalid"]


DISTRICT_POLLS = """query ($code: String!, $first: Int) { district(code: $code) {
  code polls(first: $first) { id eligibility { districts } totalBallots }
} }"""
EVERY_GU = "{ districts { code polls(first: 100) { id totalBallots tally { ballots } } } }"


async def test_district_polls_are_its_gu_and_city_wide_ones_not_yet_closed(
    backend: Backend,
) -> None:
    # given polls for Gangnam, for Jongno, for the whole city, and a closed one for Gangnam
    soon = timedelta(minutes=50)
    gangnam = await new_poll(backend, (GANGNAM,), -timedelta(minutes=5), soon)
    city = await new_poll(backend, (), -timedelta(minutes=5), soon + timedelta(minutes=1))
    upcoming = await new_poll(backend, (GANGNAM, JONGNO), timedelta(days=1), timedelta(days=2))
    jongno = await new_poll(backend, (JONGNO,), -timedelta(minutes=5), soon)
    closed = await new_poll(backend, (GANGNAM,), -timedelta(days=2), -timedelta(days=1))
    schema = build_schema()

    async def polls_of(code: str, first: int | None = 100) -> list[str]:
        result = await schema.execute(
            DISTRICT_POLLS, {"code": code, "first": first}, context_of(backend, Tier.PUBLIC)
        )
        assert result.errors is None, result.errors
        return [poll["id"] for poll in result.data["district"]["polls"]]

    # when Gangnam's polls are asked, then they are its own and the city's, soonest first
    found = await polls_of(GANGNAM)
    assert [p for p in found if p in {gangnam, city, upcoming, jongno, closed}] == [
        gangnam,
        city,
        upcoming,
    ]
    # and a dong of Gangnam sees its gu's polls
    dong = next(c for c in await dong_codes(backend, GANGNAM))
    assert [p for p in await polls_of(dong) if p in {gangnam, jongno}] == [gangnam]
    # and Jongno sees its own, not Gangnam's
    assert {gangnam, jongno, upcoming} & set(await polls_of(JONGNO)) == {jongno, upcoming}
    # and `first` cuts the list
    assert len(await polls_of(GANGNAM, 1)) == 1


async def dong_codes(backend: Backend, gu: str) -> list[str]:
    result = await build_schema().execute(
        "query ($gu: String!) { district(code: $gu) { dong { code } } }",
        {"gu": gu},
        context_of(backend, Tier.PUBLIC),
    )
    assert result.errors is None, result.errors
    return [d["code"] for d in result.data["district"]["dong"]]


@pytest.mark.parametrize("first", [0, 101, -1])
async def test_district_polls_first_out_of_range(backend: Backend, first: int) -> None:
    result = await build_schema().execute(
        DISTRICT_POLLS, {"code": GANGNAM, "first": first}, context_of(backend, Tier.PUBLIC)
    )
    assert [(e.extensions or {}).get("code") for e in result.errors or []] == ["out_of_range"]


async def test_district_polls_of_every_gu_cost_2_records_calls(backend: Backend) -> None:
    # given polls with ballots' tallies to read
    await made_on(backend)
    records = backend.stores.records
    # when every gu's polls and their tallies are asked
    before = records.calls
    result = await build_schema().execute(EVERY_GU, context_value=context_of(backend))
    calls = records.calls - before
    # then the polls are one call and their tallies one more
    assert result.errors is None, result.errors
    gangdong = next(d for d in result.data["districts"] if d["code"] == GANGDONG)
    assert len(gangdong["polls"]) == BATCH
    assert calls <= 2, calls


REFUSALS = {
    "createPoll": (
        """mutation { createPoll(input: {question: "Q?", options: ["a", "b"],
        eligibility: {}, epoch: "2026-11", opensAt: "2026-11-01T00:00:00Z",
        closesAt: "2026-11-02T00:00:00Z"}) { __typename ... on Error { code field message } } }""",
        "PollError",
        "FORBIDDEN",
    ),
    "createEnrolmentCode": (
        """mutation { createEnrolmentCode(residentId: "x") {
        __typename ... on Error { code field message } } }""",
        "IdentityError",
        "FORBIDDEN",
    ),
    "revokeCertificate": (
        """mutation { revokeCertificate(input: {id: "x", reason: "r"}) {
        __typename ... on Error { code field message } } }""",
        "TrustError",
        "FORBIDDEN",
    ),
    "registerVendor": (
        """mutation { registerVendor(input: {name: "Acme", rating: 80}) {
        __typename ... on Error { code field message } } }""",
        "ProcurementError",
        "UNAUTHENTICATED",
    ),
    "fileCase": (
        """mutation { fileCase(input: {serviceCode: "no-such-service", description: "d",
        lat: 37.5, lon: 127.0}) { __typename ... on Error { code field message } } }""",
        "ServicesError",
        "UNKNOWN_SERVICE",
    ),
}


@pytest.mark.parametrize("mutation", list(REFUSALS))
async def test_every_domains_refusal_reads_through_the_error_interface(
    backend: Backend, client: httpx.AsyncClient, mutation: str
) -> None:
    # given a mutation the public tier may not run, or with a mistake in it
    document, type_name, code = REFUSALS[mutation]
    # when it is sent with one fragment on Error
    response = await client.post("/graphql", json={"query": document})
    body = response.json()
    # then the domain's own error type answers, with code, field and message
    assert "errors" not in body, body
    answer = body["data"][mutation]
    assert answer["__typename"] == type_name
    assert answer["code"] == code
    assert set(answer) == {"__typename", "code", "field", "message"}
    assert answer["message"]


def test_no_project_exception_shares_a_graphql_type_name() -> None:
    # given every exception class of the project and every type of the merged API
    def subclasses(cls: type) -> set[type]:
        direct = set(cls.__subclasses__())
        return direct.union(*(subclasses(c) for c in direct))

    exceptions = {c.__name__ for c in subclasses(CivicGraphError)}
    types = set(build_schema()._schema.type_map)
    # then no name means two things (a GraphQL ProcurementError and a Python one)
    assert exceptions & types == set()
