"""The context of a complaint as the routing booster reads it: how, where and when it was filed.

Channel and gu as category indices (LightGBM splits categories directly), the hour of the Seoul
day, and the Korean calendar of `ml.features` (weekday, weekend, public holiday, the day of the
year on the unit circle). Seoul keeps UTC+9 all year.
"""

from __future__ import annotations

import numpy as np

from ml.errors import MLError
from ml.features import calendar_features

CONTEXT_FEATURES = (
    "channel",
    "gu",
    "hour",
    "weekday",
    "weekend",
    "holiday",
    "season_sin",
    "season_cos",
)
CATEGORICAL = ("channel", "gu")
SEOUL_OFFSET = np.timedelta64(9, "h")


class UnknownChannel(MLError):
    """A complaint channel the model does not know; `field` is "channel"."""

    field = "channel"


class UnknownDistrict(MLError):
    """A district code that is not one of Seoul's 25 gu; `field` is "district_code"."""

    field = "district_code"


def _indices(
    values: np.ndarray, known: tuple[str, ...], error: type[UnknownChannel | UnknownDistrict]
) -> np.ndarray:
    position = {v: i for i, v in enumerate(known)}
    try:
        return np.fromiter(
            (position[v] for v in values.tolist()), dtype=np.float64, count=len(values)
        )
    except KeyError as missing:
        raise error(
            f"unknown {error.field}: {missing.args[0]!r}; known: {', '.join(known)}"
        ) from None


def context_matrix(
    channel: np.ndarray,
    district_code: np.ndarray,
    at: np.ndarray,
    *,
    channels: tuple[str, ...],
    districts: tuple[str, ...],
) -> np.ndarray:
    """The context features (n × len(CONTEXT_FEATURES)), float64, in CONTEXT_FEATURES order.

    `channel` and `district_code` are (n,) string arrays, `at` (n,) datetime64 in UTC. Raises
    UnknownChannel or UnknownDistrict for a value outside `channels` or `districts`.
    """
    local = at.astype("datetime64[s]") + SEOUL_OFFSET
    hours = local.astype("datetime64[h]").astype(np.int64) % 24
    calendar = calendar_features(local.astype("datetime64[D]"))
    return np.column_stack(
        [
            _indices(np.asarray(channel), channels, UnknownChannel),
            _indices(np.asarray(district_code), districts, UnknownDistrict),
            hours.astype(np.float64),
            calendar["weekday"].astype(np.float64),
            calendar["weekend"].astype(np.float64),
            calendar["holiday"].astype(np.float64),
            calendar["season_sin"],
            calendar["season_cos"],
        ]
    )
