"""`updateCaseStatus`: a department closes or reopens a case (operator tier)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.records.api_keys import Tier
from resolvers.core.info import Info
from resolvers.services import filing
from resolvers.services.dataloaders import CaseByIdLoader
from resolvers.services.errors import ServicesError, ServicesErrorCode
from resolvers.services.types import Case, CaseStatus


@strawberry.input
class UpdateCaseStatusInput:
    id: strawberry.ID
    status: CaseStatus
    note: str = ""


@strawberry.type
class UpdateCaseStatusSuccess:
    case: Case


UpdateCaseStatusResult = Annotated[
    UpdateCaseStatusSuccess | ServicesError, strawberry.union("UpdateCaseStatusResult")
]


async def update_case_status(info: Info, input: UpdateCaseStatusInput) -> UpdateCaseStatusResult:
    if not info.context.tier.at_least(Tier.OPERATOR):
        return ServicesError(
            code=ServicesErrorCode.FORBIDDEN,
            field=None,
            message="updating a case needs the operator tier",
        )
    if len(input.note) > 1000:
        return ServicesError(
            code=ServicesErrorCode.INVALID, field="note", message="note is over 1000 characters"
        )
    case = await info.context.loader(CaseByIdLoader).load(input.id)
    if case is None:
        return ServicesError(
            code=ServicesErrorCode.NOT_FOUND, field="id", message=f"no case {input.id!r}"
        )
    node = await filing.change_status(
        info.context,
        case,
        CaseStatus(input.status),
        input.note,
        actor=info.context.tier.value,
    )
    info.context.loader(CaseByIdLoader).clear(input.id)
    return UpdateCaseStatusSuccess(case=Case.from_node(node))
