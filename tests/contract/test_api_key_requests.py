"""Key requests and key changes in the records, the same cases on SQLite and PostgreSQL:
request, decide once, claim once, rotate, change tier, purge after the retention period."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from graph.records import Records, api_keys
from graph.records import api_key_requests as requests
from graph.records.api_key_requests import PendingBounds, RequestStatus
from graph.records.api_keys import KeyErrorCode, KeyRefusal, Tier

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
BOUNDS = PendingBounds(per_client=2, overall=3)
RETENTION = timedelta(days=90)


@pytest.fixture
def records(empty_records: Records) -> Records:
    return empty_records


def new(name: str = "Mapo bus app", tier: Tier = Tier.DEVELOPER) -> requests.NewRequest:
    return requests.checked_request(name, "Dev@Example.com", "bus arrival times", tier)


async def test_a_request_is_pending_and_its_token_is_stored_hashed(records: Records) -> None:
    # given / when
    made = await requests.create_request(records, new(), "198.51.100.1", NOW, BOUNDS)
    # then
    assert made.request.status is RequestStatus.PENDING
    assert made.request.contact == "Dev@example.com"  # the domain normalised
    assert made.token.startswith("cgr_")
    rows = await records.query("SELECT claim_hash, client_ip FROM api_key_request")
    assert rows == [{"claim_hash": requests.hash_token(made.token), "client_ip": "198.51.100.1"}]
    claim = await requests.claim(records, made.token, NOW)
    assert claim.issued is None
    assert claim.request.status is RequestStatus.PENDING


async def test_pending_requests_are_bounded_per_client_and_overall(records: Records) -> None:
    # given two pending requests from one client
    for _ in range(2):
        await requests.create_request(records, new(), "198.51.100.1", NOW, BOUNDS)
    # when it asks a third time
    with pytest.raises(KeyRefusal) as mine:
        await requests.create_request(records, new(), "198.51.100.1", NOW, BOUNDS)
    # then it is refused, while another client is served until the queue is full
    assert mine.value.code is KeyErrorCode.TOO_MANY_PENDING
    await requests.create_request(records, new(), "198.51.100.2", NOW, BOUNDS)
    with pytest.raises(KeyRefusal) as full:
        await requests.create_request(records, new(), "198.51.100.3", NOW, BOUNDS)
    assert full.value.code is KeyErrorCode.QUEUE_FULL


async def test_concurrent_requests_of_one_client_keep_the_bound(records: Records) -> None:
    # given ten requests of one client at once
    async def ask() -> str:
        try:
            await requests.create_request(records, new(), "198.51.100.9", NOW, BOUNDS)
        except KeyRefusal as error:
            return error.code.value
        return "made"

    # when / then exactly the bound's number is made
    outcomes = await asyncio.gather(*(ask() for _ in range(10)))
    assert outcomes.count("made") == BOUNDS.per_client
    assert await requests.count_requests(records, RequestStatus.PENDING) == BOUNDS.per_client


async def test_approve_then_claim_once_makes_the_key(records: Records) -> None:
    # given a request for the developer tier, approved as analyst
    made = await requests.create_request(records, new(), "198.51.100.1", NOW, BOUNDS)
    rid = made.request.request_id
    approved = await requests.approve(records, rid, by="op1", at=NOW, tier=Tier.ANALYST)
    assert approved.status is RequestStatus.APPROVED
    assert approved.granted_tier is Tier.ANALYST
    (ip,) = await records.query("SELECT client_ip FROM api_key_request")
    assert ip == {"client_ip": None}  # the IP is kept while pending only
    # when the requester claims it twice
    first = await requests.claim(records, made.token, NOW)
    with pytest.raises(KeyRefusal) as second:
        await requests.claim(records, made.token, NOW)
    # then the first claim made a live analyst key, the second is refused
    assert first.issued is not None
    assert first.request.key_prefix == first.issued.prefix
    key = await api_keys.live_key(records, first.issued.secret)
    assert key is not None
    assert key.tier is Tier.ANALYST
    assert key.name == "Mapo bus app"
    assert second.value.code is KeyErrorCode.ALREADY_CLAIMED


async def test_concurrent_claims_make_one_key(records: Records) -> None:
    made = await requests.create_request(records, new(), "198.51.100.1", NOW, BOUNDS)
    await requests.approve(records, made.request.request_id, by="op1", at=NOW)

    async def claim() -> str:
        try:
            issued = (await requests.claim(records, made.token, NOW)).issued
            return "key" if issued is not None else "none"
        except KeyRefusal as error:
            return error.code.value

    outcomes = await asyncio.gather(*(claim() for _ in range(5)))
    assert sorted(outcomes) == ["already_claimed"] * 4 + ["key"]
    assert len(await api_keys.list_keys(records)) == 1


async def test_a_decision_is_made_once(records: Records) -> None:
    made = await requests.create_request(records, new(), "198.51.100.1", NOW, BOUNDS)
    rid = made.request.request_id

    async def decide(approving: bool) -> str:
        try:
            if approving:
                await requests.approve(records, rid, by="op1", at=NOW)
            else:
                await requests.reject(records, rid, by="op2", at=NOW, reason="no")
        except KeyRefusal as error:
            return error.code.value
        return "decided"

    outcomes = await asyncio.gather(*(decide(i % 2 == 0) for i in range(6)))
    assert sorted(outcomes) == ["already_decided"] * 5 + ["decided"]


async def test_a_rejection_says_why_and_makes_no_key(records: Records) -> None:
    made = await requests.create_request(records, new(), "198.51.100.1", NOW, BOUNDS)
    await requests.reject(
        records, made.request.request_id, by="op1", at=NOW, reason="say which app"
    )
    claim = await requests.claim(records, made.token, NOW)
    assert claim.issued is None
    assert claim.request.status is RequestStatus.REJECTED
    assert claim.request.reason == "say which app"
    assert await api_keys.list_keys(records) == []


@pytest.mark.parametrize(
    ("action", "code"),
    [
        ("approve-unknown", KeyErrorCode.NOT_FOUND),
        ("reject-unknown", KeyErrorCode.NOT_FOUND),
        ("approve-operator", KeyErrorCode.TIER_NOT_GRANTABLE),
        ("reject-blank-reason", KeyErrorCode.INVALID),
        ("reject-nul-reason", KeyErrorCode.UNSTORABLE_TEXT),
        ("claim-unknown", KeyErrorCode.INVALID_TOKEN),
        ("claim-overlong", KeyErrorCode.INVALID_TOKEN),
    ],
)
async def test_refusals_have_their_codes(records: Records, action: str, code: KeyErrorCode) -> None:
    made = await requests.create_request(records, new(), "198.51.100.1", NOW, BOUNDS)
    rid = made.request.request_id
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "approve-unknown": lambda: requests.approve(records, "kr-0", by="o", at=NOW),
        "reject-unknown": lambda: requests.reject(records, "kr-0", by="o", at=NOW, reason="x"),
        "approve-operator": lambda: requests.approve(
            records, rid, by="o", at=NOW, tier=Tier.OPERATOR
        ),
        "reject-blank-reason": lambda: requests.reject(records, rid, by="o", at=NOW, reason=" "),
        "reject-nul-reason": lambda: requests.reject(records, rid, by="o", at=NOW, reason="a\0"),
        "claim-unknown": lambda: requests.claim(records, "cgr_" + "A" * 43, NOW),
        "claim-overlong": lambda: requests.claim(records, "x" * 1000, NOW),
    }
    with pytest.raises(KeyRefusal) as refused:
        await calls[action]()
    assert refused.value.code is code


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        (("", "a@example.com", "p", Tier.DEVELOPER), KeyErrorCode.INVALID, "name"),
        (("n" * 201, "a@example.com", "p", Tier.DEVELOPER), KeyErrorCode.INVALID, "name"),
        (("a\x1b[2Jb", "a@example.com", "p", Tier.DEVELOPER), KeyErrorCode.INVALID, "name"),
        (("evil\u202etxt.exe", "a@example.com", "p", Tier.DEVELOPER), KeyErrorCode.INVALID, "name"),
        (("n", "not-an-address", "p", Tier.DEVELOPER), KeyErrorCode.INVALID_CONTACT, "contact"),
        (("n", "a@localhost", "p", Tier.DEVELOPER), KeyErrorCode.INVALID_CONTACT, "contact"),
        (("n", "a" * 250 + "@example.com", "p", Tier.DEVELOPER), KeyErrorCode.INVALID, "contact"),
        (("n", "a\0@example.com", "p", Tier.DEVELOPER), KeyErrorCode.UNSTORABLE_TEXT, "contact"),
        (("n", "a@example.com", "p" * 2001, Tier.DEVELOPER), KeyErrorCode.INVALID, "purpose"),
        (("n", "a@example.com", "\ud800", Tier.DEVELOPER), KeyErrorCode.UNSTORABLE_TEXT, "purpose"),
        (("n", "a@example.com", "p", Tier.OPERATOR), KeyErrorCode.TIER_NOT_GRANTABLE, "tier"),
        (("n", "a@example.com", "p", Tier.PUBLIC), KeyErrorCode.TIER_NOT_GRANTABLE, "tier"),
    ],
    ids=[
        "blank-name",
        "long-name",
        "escape-in-name",
        "bidi-override-in-name",
        "no-at",
        "no-dot",
        "long-contact",
        "nul-contact",
        "long-purpose",
        "surrogate-purpose",
        "operator",
        "public",
    ],
)
def test_request_fields_are_checked(
    fields: tuple[str, str, str, Tier], code: KeyErrorCode, field: str
) -> None:
    with pytest.raises(KeyRefusal) as refused:
        requests.checked_request(*fields)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert fields[1] not in str(refused.value) or fields[1] == "a@example.com"


async def test_requests_list_oldest_first_by_status_in_pages(records: Records) -> None:
    made = [
        await requests.create_request(
            records, new(f"app {i}"), f"198.51.100.{i}", NOW + timedelta(seconds=i), BOUNDS
        )
        for i in range(3)
    ]
    await requests.approve(records, made[1].request.request_id, by="o", at=NOW)
    pending = await requests.list_requests(records, RequestStatus.PENDING, limit=10)
    assert [r.name for r in pending] == ["app 0", "app 2"]
    first = await requests.list_requests(records, None, limit=2)
    after = (first[-1].created_at, first[-1].request_id)
    rest = await requests.list_requests(records, None, after=after, limit=2)
    assert [r.name for r in first + rest] == ["app 0", "app 1", "app 2"]
    assert await requests.count_requests(records, None) == 3
    assert await requests.count_requests(records, RequestStatus.APPROVED) == 1


async def test_rotation_keeps_the_prefix_and_retires_the_old_secret(records: Records) -> None:
    issued = await api_keys.create_key(records, "rotating", Tier.DEVELOPER)
    stored = await api_keys.live_key(records, issued.secret)
    assert stored is not None
    rotated = await api_keys.rotate_key(records, stored)
    assert rotated.prefix == issued.prefix
    assert rotated.secret != issued.secret
    assert await api_keys.live_key(records, issued.secret) is None
    now = await api_keys.live_key(records, rotated.secret)
    assert now is not None
    assert now.rotated_at is not None
    with pytest.raises(KeyRefusal) as stale:  # rotating from the old secret's row
        await api_keys.rotate_key(records, stored)
    assert stale.value.code is KeyErrorCode.REVOKED


async def test_a_tier_change_applies_to_live_keys_only(records: Records) -> None:
    issued = await api_keys.create_key(records, "promoted", Tier.DEVELOPER)
    changed = await api_keys.set_tier(records, issued.prefix, Tier.OPERATOR)
    assert changed.tier is Tier.OPERATOR
    for prefix, tier, code in [
        ("ffffffff", Tier.ANALYST, KeyErrorCode.NOT_FOUND),
        (issued.prefix, Tier.PUBLIC, KeyErrorCode.TIER_NOT_GRANTABLE),
    ]:
        with pytest.raises(KeyRefusal) as refused:
            await api_keys.set_tier(records, prefix, tier)
        assert refused.value.code is code
    await api_keys.revoke_key(records, issued.prefix)
    with pytest.raises(KeyRefusal) as revoked:
        await api_keys.set_tier(records, issued.prefix, Tier.ANALYST)
    assert revoked.value.code is KeyErrorCode.REVOKED


async def test_purge_deletes_what_the_retention_period_no_longer_covers(
    records: Records,
) -> None:
    # given requests of every kind, decided long ago or just now
    old, recent = NOW - RETENTION - timedelta(seconds=1), NOW - RETENTION + timedelta(hours=1)
    wide = PendingBounds(per_client=100, overall=100)

    async def made(name: str, at: datetime) -> requests.MadeRequest:
        return await requests.create_request(records, new(name), "198.51.100.1", at, wide)

    stale_pending = await made("stale pending", old)
    await made("fresh pending", recent)
    for name, at in (("stale rejected", old), ("fresh rejected", recent)):
        rid = (await made(name, old)).request.request_id
        await requests.reject(records, rid, by="o", at=at, reason="no")
    for name, at in (("stale unclaimed", old), ("fresh unclaimed", recent)):
        rid = (await made(name, old)).request.request_id
        await requests.approve(records, rid, by="o", at=at)
    claimed = {}
    for name in ("revoked long ago", "revoked lately", "live key"):
        one = await made(name, old)
        await requests.approve(records, one.request.request_id, by="o", at=old)
        claimed[name] = (await requests.claim(records, one.token, old)).issued
    revoked = {"revoked long ago": old, "revoked lately": recent}
    for name, at in revoked.items():
        issued = claimed[name]
        assert issued is not None
        await records.query(
            f"UPDATE api_key SET revoked_at = {records.placeholders(1)[0]} "
            f"WHERE prefix = {records.placeholders(1, start=2)[0]}",
            [at, issued.prefix],
        )
    # when the purge runs now
    purged = await requests.purge(records, NOW, RETENTION)
    # then only the stale ones are gone, contact and all; keys themselves stay
    assert purged == requests.Purged(never_decided=1, rejected=1, unclaimed=1, key_revoked=1)
    left = {r.name for r in await requests.list_requests(records, None, limit=100)}
    assert left == {
        "fresh pending",
        "fresh rejected",
        "fresh unclaimed",
        "revoked lately",
        "live key",
    }
    with pytest.raises(KeyRefusal) as gone:
        await requests.claim(records, stale_pending.token, NOW)
    assert gone.value.code is KeyErrorCode.INVALID_TOKEN
    assert len(await api_keys.list_keys(records)) == 3
    again = await requests.purge(records, NOW, RETENTION)
    assert again.total == 0


@pytest.mark.parametrize("name", ["evil\u202etxt.exe", "a\u2067b", "line\nbreak"])
def test_a_key_made_by_hand_has_a_one_line_name_shown_as_written(name: str) -> None:
    with pytest.raises(KeyRefusal) as refused:
        api_keys.check_new_key(name, Tier.DEVELOPER)
    assert refused.value.field == "name"
