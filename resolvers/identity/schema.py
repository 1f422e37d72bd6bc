"""Queries and mutations of the identity domain."""

from __future__ import annotations

import strawberry

from graph.records.identity import issuer_keys
from resolvers.core.info import Info
from resolvers.identity import mutations, polls
from resolvers.identity.polls import Poll
from resolvers.identity.types import IssuerKey


@strawberry.type(name="Query")
class IdentityQuery:
    @strawberry.field(description="Every credential issuer key the city has published, by month.")
    async def issuer_keys(self, info: Info) -> list[IssuerKey]:
        return [IssuerKey.of(row) for row in await issuer_keys(info.context.records)]

    poll: Poll = strawberry.field(
        resolver=polls.poll, description="A poll with its tally and turnout by district."
    )
    polls: list[Poll] = strawberry.field(
        resolver=polls.polls_resolver,
        description="Polls, newest first (opensAt descending), in `state` at the time of the "
        "request (default OPEN); at most `first` (default 20, 1 to 100).",
    )


@strawberry.type(name="Mutation")
class IdentityMutation:
    create_enrolment_code: mutations.EnrolmentCodeResult = strawberry.mutation(
        resolver=mutations.create_enrolment_code,
        description="A one-time code a resident's wallet enrols with (operator tier).",
    )
    request_credential: mutations.CredentialResult = strawberry.mutation(
        resolver=mutations.request_credential,
        description="This month's credential for an enrolled wallet (or one with a code).",
    )
    presentation_request: mutations.PresentationRequestResult = strawberry.mutation(
        resolver=mutations.presentation_request,
        description="A verifier asks for attributes with a fresh nonce (developer tier).",
    )
    verify_presentation: mutations.VerifyPresentationResult = strawberry.mutation(
        resolver=mutations.verify_presentation,
        description="Check a wallet's answer to one of your requests, once (developer tier).",
    )
    create_poll: polls.PollResult = strawberry.mutation(
        resolver=polls.create_poll_resolver,
        description="A neighbourhood poll, logged (operator tier).",
    )
    cast_ballot: polls.BallotResult = strawberry.mutation(
        resolver=polls.cast_ballot_resolver,
        description="An anonymous ballot (a pseudonym proof from a resident credential).",
    )
