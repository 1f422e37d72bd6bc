"""`fileCase`: a resident files a complaint (any tier, no key needed)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.core.info import Info
from resolvers.services import filing
from resolvers.services.errors import ServicesError, ServicesProblem
from resolvers.services.types import Case


@strawberry.input
class FileCaseInput:
    service_code: str
    description: str
    lat: float
    lon: float
    address: str = ""


@strawberry.type
class FileCaseSuccess:
    case: Case


FileCaseResult = Annotated[FileCaseSuccess | ServicesError, strawberry.union("FileCaseResult")]


async def file_case(info: Info, input: FileCaseInput) -> FileCaseResult:
    request = filing.NewCase(
        input.service_code, input.description, input.lat, input.lon, input.address
    )
    try:
        node = await filing.file_case(info.context, request)
    except ServicesProblem as problem:
        return problem.as_error()
    return FileCaseSuccess(case=Case.from_node(node))
