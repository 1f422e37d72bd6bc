"""Polls and ballots as data: what a poll asks and who may answer, what a ballot carries.

A ballot is a BBS pseudonym proof from a resident credential of the poll's one epoch. Its
context is the poll's id, so one credential gives one pseudonym (the nullifier) per poll and
unlinkable ones across polls. The chosen option is bound into the proof through the
presentation header, so it cannot be swapped in transit. It discloses the voter's district
(turnout by district) and whatever else eligibility needs, and nothing more.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph.storable_text import storable
from ledger.entries import canonical_json
from zk.credentials.attributes import ORDER, Attribute, attribute, encode_value
from zk.credentials.epochs import Epoch
from zk.credentials.errors import CredentialError
from zk.polls.errors import PollErrorCode, PollRefusal

MAX_OPTIONS = 20
MAX_TEXT = 300
POLL_CREATED = "poll.created"
BALLOT = "poll.ballot"
"""Log entry kinds: a poll's definition, and each accepted ballot (subject: the poll's id)."""


def _invalid(message: str, field_name: str) -> PollRefusal:
    return PollRefusal(PollErrorCode.INVALID, message, field_name)


@dataclass(frozen=True)
class Eligibility:
    """Who may vote: residents of these districts (none: the whole city) with these flags."""

    districts: tuple[str, ...] = ()
    over19: bool = False
    over65: bool = False
    welfare: bool = False

    def required(self) -> dict[Attribute, bool]:
        flags = {Attribute.OVER19: self.over19, Attribute.OVER65: self.over65}
        flags[Attribute.WELFARE] = self.welfare
        return {name: True for name, wanted in flags.items() if wanted}

    def disclosed(self) -> tuple[Attribute, ...]:
        """What a ballot shows: the district always (turnout), and each required flag."""
        return tuple(
            name for name in ORDER if name is Attribute.DISTRICT or name in self.required()
        )

    def admits(self, values: Mapping[Attribute, str | bool]) -> bool:
        if self.districts and values.get(Attribute.DISTRICT) not in self.districts:
            return False
        return all(values.get(name) is True for name in self.required())

    def to_json(self) -> dict[str, Any]:
        return {
            "districts": list(self.districts),
            "over19": self.over19,
            "over65": self.over65,
            "welfare": self.welfare,
        }

    @classmethod
    def from_json(cls, data: object) -> Eligibility:
        if not isinstance(data, Mapping):
            raise _invalid("eligibility is an object", "eligibility")
        districts = data.get("districts", [])
        if not isinstance(districts, list):
            raise _invalid("districts is a list of gu codes", "eligibility")
        try:
            for code in districts:
                encode_value(Attribute.DISTRICT, code, "eligibility")
        except CredentialError as error:
            raise _invalid(str(error), "eligibility") from None
        flags = {}
        for name in ("over19", "over65", "welfare"):
            value = data.get(name, False)
            if type(value) is not bool:
                raise _invalid(f"{name} is true or false", "eligibility")
            flags[name] = value
        return cls(tuple(sorted(set(districts))), **flags)


@dataclass(frozen=True)
class Poll:
    poll_id: str
    question: str
    options: tuple[str, ...]
    eligibility: Eligibility
    epoch: str
    opens_at: datetime
    closes_at: datetime

    @property
    def context_id(self) -> bytes:
        """The pseudonym context: the poll's id."""
        return self.poll_id.encode()

    def definition(self) -> dict[str, Any]:
        """The poll as logged in its `poll.created` leaf (and re-read by auditors)."""
        return {
            "question": self.question,
            "options": list(self.options),
            "eligibility": self.eligibility.to_json(),
            "epoch": self.epoch,
            "opens_at": self.opens_at.isoformat(),
            "closes_at": self.closes_at.isoformat(),
        }

    @classmethod
    def from_definition(cls, poll_id: str, body: Mapping[str, Any]) -> Poll:
        try:
            return cls(
                poll_id=poll_id,
                question=str(body["question"]),
                options=tuple(str(o) for o in body["options"]),
                eligibility=Eligibility.from_json(body["eligibility"]),
                epoch=str(Epoch.parse(str(body["epoch"]))),
                opens_at=datetime.fromisoformat(str(body["opens_at"])),
                closes_at=datetime.fromisoformat(str(body["closes_at"])),
            )
        except (KeyError, TypeError, ValueError, CredentialError) as error:
            raise _invalid(f"not a poll definition: {error}", "poll") from None


def check_options(options: Sequence[str]) -> tuple[str, ...]:
    cleaned = tuple(option.strip() for option in options)
    if not 2 <= len(cleaned) <= MAX_OPTIONS:
        raise _invalid(f"a poll has 2 to {MAX_OPTIONS} options", "options")
    if any(not 0 < len(o) <= MAX_TEXT for o in cleaned) or len(set(cleaned)) != len(cleaned):
        raise _invalid(f"options are distinct, 1 to {MAX_TEXT} characters each", "options")
    return cleaned


def ballot_header(poll_id: str, option: str) -> bytes:
    """The presentation header binding the choice into the proof."""
    return canonical_json({"option": option, "poll": poll_id})


@dataclass(frozen=True)
class Ballot:
    poll_id: str
    option: str
    key_id: str
    disclosed: Mapping[Attribute, str | bool]
    pseudonym: bytes
    proof: bytes = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "poll": self.poll_id,
            "option": self.option,
            "keyId": self.key_id,
            "disclosed": {name.value: value for name, value in self.disclosed.items()},
            "pseudonym": self.pseudonym.hex(),
            "proof": base64.b64encode(self.proof).decode(),
        }

    @classmethod
    def from_json(cls, data: object) -> Ballot:
        """The wire form (also a `poll.ballot` leaf's body), or PollRefusal INVALID."""
        if not isinstance(data, Mapping):
            raise _invalid("a ballot is a JSON object", "ballot")
        if not storable(*(v for v in data.values() if isinstance(v, str))):
            raise _invalid("a ballot's text is not valid Unicode", "ballot")
        try:
            disclosed_raw = data["disclosed"]
            if not isinstance(disclosed_raw, Mapping):
                raise ValueError("disclosed is an object")
            disclosed: dict[Attribute, str | bool] = {}
            for name, value in disclosed_raw.items():
                key = attribute(str(name), "disclosed")
                encode_value(key, value)
                disclosed[key] = value
            pseudonym = bytes.fromhex(str(data["pseudonym"]))
            proof = base64.b64decode(str(data["proof"]), validate=True)
            ballot = cls(
                poll_id=str(data["poll"]),
                option=str(data["option"]),
                key_id=str(data["keyId"]),
                disclosed=disclosed,
                pseudonym=pseudonym,
                proof=proof,
            )
            Epoch.of_key(ballot.key_id)
        except (KeyError, TypeError, ValueError, binascii.Error, CredentialError) as error:
            raise _invalid(f"not a ballot: {error}", "ballot") from None
        if len(ballot.pseudonym) != 48 or len(ballot.proof) > 4096:
            raise _invalid("a pseudonym is 48 bytes and a proof at most 4 KiB", "ballot")
        return ballot
