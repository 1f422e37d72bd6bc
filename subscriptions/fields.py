"""The GraphQL subscription fields: `sensorReadings`, `caseUpdates` and `alerts`.

Each takes server-side filters and an optional `after` (the id of the last event a client
received): missed events are replayed from the records, then live ones follow.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncGenerator, Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import datetime
from enum import StrEnum

import strawberry
from strawberry.types import Info

from graph.ontology import DATA_TYPE_UNITS
from graph.records.db import MAX_ROW_ID
from graph.records.readings import from_epoch
from resolvers.core.arguments import checked_districts
from resolvers.core.context import Context
from resolvers.core.errors import ApiError, ApiErrorCode, not_found
from resolvers.identity.polls import PollTally
from resolvers.sensing.types import DataType, Measurement, SensorKind
from resolvers.services.types import CaseStatus
from subscriptions.events import Event, Stream
from subscriptions.fanout import Predicate
from subscriptions.live import Live, ResumeTooOld
from subscriptions.slots import OwnerSlots, SlotsExhausted
from zk.polls.errors import PollError
from zk.polls.service import tally

LiveInfo = Info[Context, None]


async def _close_feed(first: asyncio.Future[Event], feed: AsyncGenerator[Event, None]) -> None:
    """Cancels the pending first read of `feed`, waits until it has ended, then closes the feed
    (closing an async generator while a read of it still runs raises RuntimeError)."""
    first.cancel()
    with suppress(Exception, asyncio.CancelledError):
        await first
    await feed.aclose()


@strawberry.type(description="A sensor's reading, as it arrives.")
class SensorReadingEvent:
    id: strawberry.ID = strawberry.field(description="Resume after this id with `after`.")
    sensor_id: strawberry.ID
    district_code: str
    sensor_kind: SensorKind
    measured_at: datetime
    values: list[Measurement]

    @classmethod
    def from_event(cls, event: Event, data_type: DataType | None) -> SensorReadingEvent:
        data = event.data
        values = data["values"]
        shown = [data_type.value] if data_type else list(values)
        return cls(
            id=strawberry.ID(str(event.id)),
            sensor_id=strawberry.ID(data["sensor_id"]),
            district_code=data["district_code"],
            sensor_kind=SensorKind(data["sensor_kind"]),
            measured_at=from_epoch(int(data["measured_at"])),
            values=[
                Measurement(data_type=DataType(t), value=values[t], unit=DATA_TYPE_UNITS[t])
                for t in shown
                if t in values
            ],
        )


@strawberry.type(description="A change to a complaint: received, assigned, status changed.")
class CaseUpdate:
    id: strawberry.ID
    case_id: strawberry.ID
    district_code: str
    kind: str
    status: CaseStatus
    note: str
    department: str
    at: datetime

    @classmethod
    def from_event(cls, event: Event) -> CaseUpdate:
        data = event.data
        return cls(
            id=strawberry.ID(str(event.id)),
            case_id=strawberry.ID(data["case_id"]),
            district_code=data["district_code"],
            kind=data["kind"],
            status=CaseStatus(data["status"]),
            note=data["note"],
            department=data["department"],
            at=datetime.fromisoformat(data["at"]),
        )


@strawberry.enum
class AlertSeverity(StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"


@strawberry.enum
class AlertState(StrEnum):
    RAISED = "raised"
    ESCALATED = "escalated"
    EASED = "eased"
    CLEARED = "cleared"


@strawberry.type(description="A sensor crossing an alert band (CAI for dust, night noise).")
class AlertEvent:
    id: strawberry.ID
    sensor_id: strawberry.ID
    district_code: str
    data_type: DataType
    severity: AlertSeverity
    state: AlertState
    value: float
    threshold: float
    rule: str
    at: datetime

    @classmethod
    def from_event(cls, event: Event) -> AlertEvent:
        data = event.data
        return cls(
            id=strawberry.ID(str(event.id)),
            sensor_id=strawberry.ID(data["sensor_id"]),
            district_code=data["district_code"],
            data_type=DataType(data["data_type"]),
            severity=AlertSeverity(data["severity"]),
            state=AlertState(data["state"]),
            value=data["value"],
            threshold=data["threshold"],
            rule=data["rule"],
            at=datetime.fromisoformat(data["at"]),
        )


EVENT_ID = re.compile(r"[0-9]{1,19}")
"""An event id as clients send it back: ASCII digits only (`str.isdigit` also takes "²",
which `int` refuses), at most 19 of them."""


def _after(value: strawberry.ID | None) -> int | None:
    """The event id `after` names. Raises `bad_cursor` for anything but a decimal integer in
    [0, MAX_ROW_ID] (a larger one overflowed the records drivers)."""
    if value is None:
        return None
    text = str(value)
    if EVENT_ID.fullmatch(text) is None or int(text) > MAX_ROW_ID:
        raise ApiError(
            ApiErrorCode.BAD_CURSOR,
            f"after must be the id of an event: a whole number from 0 to {MAX_ROW_ID}",
            "after",
        )
    return int(text)


async def _district(info: LiveInfo, district: str | None) -> str | None:
    checked = await checked_districts(info.context, [district] if district else None)
    return checked[0] if checked else None


def _live(info: LiveInfo) -> Live:
    live = info.context.live
    if live is None:
        raise ApiError(ApiErrorCode.INVALID, "subscriptions need a websocket connection")
    return live


@contextmanager
def _subscription_slot(info: LiveInfo) -> Iterator[None]:
    """Holds one of the caller's subscription slots (put in the request state by the door)
    while the block runs, however it ends; none free is a `too_many_subscriptions` error."""
    request = info.context.request
    slots = request.scope.get("state", {}).get("subscription_slots") if request else None
    with ExitStack() as held:
        if isinstance(slots, OwnerSlots):
            try:
                held.enter_context(slots.hold())
            except SlotsExhausted as full:
                raise ApiError(ApiErrorCode.TOO_MANY_SUBSCRIPTIONS, str(full)) from None
        yield


async def _feed(
    info: LiveInfo, stream: Stream, district: str | None, accepts: Predicate, after: int | None
) -> AsyncGenerator[Event, None]:
    with _subscription_slot(info):
        live = _live(info)
        try:
            async for event in live.events(
                stream,
                district=district,
                accepts=accepts,
                after=after,
                connection=info.context.request,
                replay_window=live.replay_window_for(info.context.tier),
            ):
                yield event
        except ResumeTooOld as error:
            raise ApiError(ApiErrorCode.OUT_OF_RANGE, str(error), "after") from None


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(description="Readings as sensors send them, filtered server-side.")
    async def sensor_readings(
        self,
        info: LiveInfo,
        district: str | None = None,
        sensor_kind: SensorKind | None = None,
        data_type: DataType | None = None,
        after: strawberry.ID | None = None,
    ) -> AsyncGenerator[SensorReadingEvent, None]:
        gu, resume = await _district(info, district), _after(after)

        def accepts(event: Event) -> bool:
            data = event.data
            if sensor_kind is not None and data["sensor_kind"] != sensor_kind.value:
                return False
            return data_type is None or data_type.value in data["values"]

        async for event in _feed(info, Stream.READINGS, gu, accepts, resume):
            yield SensorReadingEvent.from_event(event, data_type)

    @strawberry.subscription(description="Case events: filed, assigned, status changed.")
    async def case_updates(
        self,
        info: LiveInfo,
        district: str | None = None,
        status: CaseStatus | None = None,
        after: strawberry.ID | None = None,
    ) -> AsyncGenerator[CaseUpdate, None]:
        gu, resume = await _district(info, district), _after(after)

        def accepts(event: Event) -> bool:
            return status is None or event.data["status"] == status.value

        async for event in _feed(info, Stream.CASES, gu, accepts, resume):
            yield CaseUpdate.from_event(event)

    @strawberry.subscription(description="Alerts raised, escalated, eased and cleared.")
    async def alerts(
        self,
        info: LiveInfo,
        district: str | None = None,
        severity: list[AlertSeverity] | None = None,
        after: strawberry.ID | None = None,
    ) -> AsyncGenerator[AlertEvent, None]:
        gu, resume = await _district(info, district), _after(after)
        wanted = {s.value for s in severity} if severity else None

        def accepts(event: Event) -> bool:
            return wanted is None or event.data["severity"] in wanted

        async for event in _feed(info, Stream.ALERTS, gu, accepts, resume):
            yield AlertEvent.from_event(event)

    @strawberry.subscription(
        description="A poll's tally: the current one, then a new one after each ballot."
    )
    async def poll_tally(
        self, info: LiveInfo, poll_id: strawberry.ID
    ) -> AsyncGenerator[PollTally, None]:
        """Subscribed to the bus before the current tally is read, so no ballot falls in
        between; each update carries the whole tally, and ones older than an update already
        sent (two workers racing) are skipped."""
        with _subscription_slot(info):
            live = _live(info)

            def accepts(event: Event) -> bool:
                return bool(event.data["poll_id"] == str(poll_id))

            connection = info.context.request
            feed = live.events(
                Stream.POLLS, district=None, accepts=accepts, after=None, connection=connection
            )
            # run the feed up to its first wait: from here on the bus queues this poll's events
            first = asyncio.ensure_future(anext(feed))
            await asyncio.sleep(0)
            try:
                current = await tally(info.context.records, str(poll_id))
            except PollError:
                await _close_feed(first, feed)
                raise not_found("poll", str(poll_id), "pollId") from None
            sent = current.total
            yield PollTally.of(current)
            try:
                event = await first
                while True:
                    update = PollTally.from_event(event)
                    if update.total_ballots > sent:
                        sent = update.total_ballots
                        yield update
                    event = await anext(feed)
            finally:
                await _close_feed(first, feed)
