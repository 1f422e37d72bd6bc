"""The remote log source asks only its server: no redirects, answers bounded in size and time."""

from __future__ import annotations

import pytest

from ledger.remote import RemoteError, open_source
from tests.recorder import Answer, recording

ID = "BR-2026-3F9A1C7E2B"


async def test_a_proof_is_asked_of_the_configured_server_by_id() -> None:
    with recording(lambda method, path: Answer(200, b'{"t":"x"}')) as server:
        async with open_source(server.url + "/") as source:
            assert await source.full_payload(ID) == '{"t":"x"}'
    assert server.hits == [("GET", f"/certificates/{ID}/proof")]


async def test_an_id_cannot_steer_the_request_off_its_path() -> None:
    with recording(lambda method, path: Answer(404)) as server:
        async with open_source(server.url) as source:
            with pytest.raises(RemoteError):
                await source.full_payload("../../graphql?x=1#")
    assert server.hits == [("GET", "/certificates/..%2F..%2Fgraphql%3Fx%3D1%23/proof")]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_from_the_server_is_not_followed(status: int) -> None:
    with recording() as elsewhere:
        target = f"{elsewhere.url}/certificates/{ID}/proof"
        moved = Answer(status, headers={"Location": target})
        with recording(lambda method, path: moved) as server:
            async with open_source(server.url) as source:
                with pytest.raises(RemoteError, match="not followed"):
                    await source.full_payload(ID)
                with pytest.raises(RemoteError, match="not followed"):
                    await source.head()
    assert len(server.hits) == 2
    assert elsewhere.hits == []


@pytest.mark.parametrize(
    ("declared", "refusal"),
    [(True, r"answered 4098 bytes, over 1024"), (False, r"answered over 1024 bytes")],
    ids=["content-length", "undeclared"],
)
async def test_an_answer_too_large_is_refused(declared: bool, refusal: str) -> None:
    body = b"{" + b" " * 4096 + b"}"
    big = Answer(200, body, declare_length=declared)
    with recording(lambda method, path: big) as server:
        async with open_source(server.url, max_bytes=1024) as source:
            with pytest.raises(RemoteError, match=refusal):
                await source.full_payload(ID)
            with pytest.raises(RemoteError, match=refusal):
                await source.head()


async def test_a_server_that_drips_its_answer_is_given_up_on_at_the_deadline() -> None:
    # given a server sending a byte every 50 ms: no single read waits long, the whole takes 5 s
    slow = Answer(200, b"{" + b" " * 98 + b"}", drip_seconds=0.05)
    with recording(lambda method, path: slow) as server:
        async with open_source(server.url, deadline=0.5) as source:
            with pytest.raises(RemoteError, match=r"did not answer within 0\.5 s"):
                await source.head()
