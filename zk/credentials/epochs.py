"""Issuer-key epochs: calendar months in Seoul time. A key id names its month, so a
credential needs no expiry date of its own (a date could link its presentations)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from zk.credentials.errors import CredentialError, CredentialErrorCode

SEOUL = ZoneInfo("Asia/Seoul")
KEY_PREFIX = "resident-"
_EPOCH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
FIRST_YEAR, LAST_YEAR = 2000, 9998
"""Months outside these years cannot be a credential's (and their bounds would overflow)."""


@dataclass(frozen=True, order=True)
class Epoch:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str, field: str = "epoch") -> Epoch:
        """`2026-11`, or CredentialError INVALID."""
        match = _EPOCH.fullmatch(text) if isinstance(text, str) else None
        if match is None or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
            raise CredentialError(
                CredentialErrorCode.INVALID, f"an epoch is a month as YYYY-MM, not {text!r}", field
            )
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of_key(cls, key_id: str, field: str = "keyId") -> Epoch:
        """The epoch a key id names (`resident-2026-11`)."""
        if not isinstance(key_id, str) or not key_id.startswith(KEY_PREFIX):
            raise CredentialError(
                CredentialErrorCode.INVALID, f"{key_id!r} is not a resident issuer key id", field
            )
        return cls.parse(key_id.removeprefix(KEY_PREFIX), field)

    @classmethod
    def at(cls, moment: datetime) -> Epoch:
        local = moment.astimezone(SEOUL)
        return cls(local.year, local.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def key_id(self) -> str:
        return f"{KEY_PREFIX}{self}"

    @property
    def starts(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=SEOUL)

    @property
    def ends(self) -> datetime:
        """The first instant after the epoch (the next month's start)."""
        return (self.starts + timedelta(days=32)).replace(day=1)

    def next(self) -> Epoch:
        return Epoch.at(self.ends)

    def previous(self) -> Epoch:
        return Epoch.at(self.starts - timedelta(days=1))
