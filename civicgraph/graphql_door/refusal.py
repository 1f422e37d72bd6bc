"""A request refused at the HTTP door before execution: its status, error code and headers."""

from __future__ import annotations

from graph.errors import CivicGraphError
from resolvers.core.request_errors import RequestErrorCode


class Refusal(CivicGraphError):
    """A request refused before execution: its HTTP status, error code and extra headers."""

    def __init__(
        self,
        status: int,
        code: RequestErrorCode,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
