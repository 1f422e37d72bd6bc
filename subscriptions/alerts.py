"""Alert rules per data type, with hysteresis so that a value hovering at a limit raises once.

Bands follow Korea's Comprehensive Air-quality Index (CAI) for PM2.5 and PM10 and the night
noise standard, as subscriptions/bands.py defines them (seoul-domain-facts.md §2): a band
is entered at its `raise_at` and left only below its lower `clear_below`. The CAI is defined
on 24-hour averages; these rules watch each 2-minute reading, as an early warning for the
place the sensor stands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from graph.city_day import in_hours
from graph.records.alerts import AlertRow
from subscriptions import bands
from subscriptions.bands import lower_of


class Severity(StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"


class AlertState(StrEnum):
    RAISED = "raised"
    ESCALATED = "escalated"
    EASED = "eased"
    CLEARED = "cleared"


@dataclass(frozen=True)
class Band:
    severity: Severity
    raise_at: float
    clear_below: float


def _always(_moment: datetime) -> bool:
    return True


def at_night(moment: datetime) -> bool:
    """22:00 to 06:00 in Seoul, the night of the noise standard (its night bands' hours)."""
    return in_hours(moment, bands.NIGHT_HOURS)


@dataclass(frozen=True)
class Rule:
    name: str
    data_type: str
    bands: tuple[Band, ...]
    """Ascending: each band's raise_at above the previous one's."""
    active: Callable[[datetime], bool] = _always

    def level(self, current: int, value: float, moment: datetime) -> int:
        """The band index (0 = no alert) after `value`, starting from `current`."""
        if not self.active(moment):
            return 0
        level = current
        while level < len(self.bands) and value >= self.bands[level].raise_at:
            level += 1
        if level == current:
            while level > 0 and value < self.bands[level - 1].clear_below:
                level -= 1
        return level


def _cai_rule(data_type: str, label: str, clear_warning: float, clear_critical: float) -> Rule:
    """Warn from the CAI's Unhealthy band, go critical from its Very unhealthy band."""
    warn, critical = lower_of(data_type, bands.UNHEALTHY), lower_of(data_type, bands.VERY_UNHEALTHY)
    return Rule(
        f"CAI {label} (unhealthy from {warn:g}, very unhealthy from {critical:g} ㎍/㎥)",
        data_type,
        (
            Band(Severity.WARNING, warn, clear_warning),
            Band(Severity.CRITICAL, critical, clear_critical),
        ),
    )


_RESIDENTIAL = lower_of("noise", bands.OVER_RESIDENTIAL_NIGHT)
_ROADSIDE = lower_of("noise", bands.OVER_ROADSIDE_NIGHT)

RULES: tuple[Rule, ...] = (
    _cai_rule("pm25", "PM2.5", 31, 66),
    _cai_rule("pm10", "PM10", 71, 131),
    Rule(
        f"night noise (residential {_RESIDENTIAL:g}, roadside {_ROADSIDE:g} dB(A), 22:00-06:00)",
        "noise",
        (Band(Severity.WARNING, _RESIDENTIAL, 42), Band(Severity.CRITICAL, _ROADSIDE, 52)),
        active=at_night,
    ),
)
"""Raise points are the bands' starts (subscriptions/bands.py, the one table of bands); the
clear points below them are this module's hysteresis."""
RULES_BY_TYPE = {rule.data_type: rule for rule in RULES}


@dataclass(frozen=True)
class Observation:
    sensor_id: str
    district_code: str
    at: datetime
    values: dict[str, float]


class AlertTracker:
    """The alert level of every (sensor, data type), and the changes a new reading makes.

    Only a reading newer than the last one observed for its (sensor, data type) can change
    a level: a late or replayed reading never clears (or raises) what a newer one set.
    """

    def __init__(self, rules: Iterable[Rule] = RULES) -> None:
        self.rules = {rule.data_type: rule for rule in rules}
        self.levels: dict[tuple[str, str], int] = {}
        self.newest: dict[tuple[str, str], datetime] = {}
        """The time of the newest reading observed per (sensor, data type)."""

    def restore(self, latest: Iterable[AlertRow]) -> None:
        """Resume from the last alert of each (sensor, data type) in the records."""
        for alert in latest:
            rule = self.rules.get(alert.data_type)
            if rule is None:
                continue
            level = 0
            if alert.state != AlertState.CLEARED:
                severities = [band.severity.value for band in rule.bands]
                level = severities.index(alert.severity) + 1 if alert.severity in severities else 0
            self.levels[(alert.sensor_id, alert.data_type)] = level
            self.newest[(alert.sensor_id, alert.data_type)] = alert.at

    def observe(self, reading: Observation) -> list[AlertRow]:
        changes = []
        for data_type, value in reading.values.items():
            rule = self.rules.get(data_type)
            if rule is None:
                continue
            key = (reading.sensor_id, data_type)
            newest = self.newest.get(key)
            if newest is not None and reading.at <= newest:
                continue  # late: history only
            self.newest[key] = reading.at
            before = self.levels.get(key, 0)
            after = rule.level(before, value, reading.at)
            if after == before:
                continue
            self.levels[key] = after
            if after > before:
                state = AlertState.RAISED if before == 0 else AlertState.ESCALATED
                band = rule.bands[after - 1]
                threshold = band.raise_at
            else:
                state = AlertState.CLEARED if after == 0 else AlertState.EASED
                band = rule.bands[before - 1]
                threshold = band.clear_below
            severity = rule.bands[after - 1].severity if after else band.severity
            changes.append(
                AlertRow(
                    reading.sensor_id,
                    reading.district_code,
                    data_type,
                    severity.value,
                    state.value,
                    value,
                    threshold,
                    rule.name,
                    reading.at,
                )
            )
        return changes
