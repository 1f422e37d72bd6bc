"""Mutations of the services domain, one per module."""

from resolvers.services.mutations.case_file import FileCaseInput, FileCaseResult, file_case
from resolvers.services.mutations.case_status_update import (
    UpdateCaseStatusInput,
    UpdateCaseStatusResult,
    update_case_status,
)

__all__ = [
    "FileCaseInput",
    "FileCaseResult",
    "UpdateCaseStatusInput",
    "UpdateCaseStatusResult",
    "file_case",
    "update_case_status",
]
