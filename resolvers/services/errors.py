"""Typed errors of the services domain, returned by its mutations."""

from __future__ import annotations

from enum import StrEnum

import strawberry

from graph.errors import CivicGraphError
from resolvers.core.error_interface import Error, code_field


@strawberry.enum
class ServicesErrorCode(StrEnum):
    UNKNOWN_SERVICE = "unknown_service"
    OUTSIDE_CITY = "outside_city"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"


@strawberry.type(description="A user mistake in a services mutation.")
class ServicesError(Error):
    code: str = code_field("ServicesErrorCode")


class ServicesProblem(CivicGraphError):
    """Raised by the filing logic; turned into `ServicesError` or an Open311 error."""

    def __init__(self, code: ServicesErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message

    def as_error(self) -> ServicesError:
        return ServicesError(code=self.code, field=self.field, message=self.message)
