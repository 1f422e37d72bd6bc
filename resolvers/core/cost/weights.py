"""The one table of what each field costs: weights of heavy fields and sizes of lists.

The model is GitHub's and Shopify's (docs.github.com/graphql/overview/rate-limits-and-query-limits,
shopify.dev/docs/api/usage/limits#cost-calculation): every object a query can return costs 1,
a scalar, an enum or a value embedded in its parent (`EMBEDDED_TYPES`) 0, and a list
multiplies the cost of one item by the most items it can hold.
A connection holds `first` or `last` items (default `DEFAULT_PAGE_SIZE`); an unpaged list holds
at most its bound from the data model (`ListBounds`). On top of that, a field listed here adds
its weight each time it is resolved: geometry, aggregates, proofs and cryptography. Any field
not listed costs the default, and every list of objects must have a size here (a test checks).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from graph.ontology import DATASET_THEMES
from graph.records.predictions import MAX_HISTORY
from ledger.documents import CertificateKind
from ledger.procurement.rules import ContractState
from ml.generators.water import MEASURES as WATER_MEASURES
from ml.registry import MODELS
from resolvers.core.cost.bounds import ListBounds
from resolvers.core.pagination import DEFAULT_PAGE_SIZE
from subscriptions.alerts import RULES, Severity
from subscriptions.bands import READING_BANDS


@dataclass(frozen=True)
class SizeEnv:
    """What list sizes are computed from: the bounds, and the enclosing connection's page."""

    bounds: ListBounds
    page: int
    max_page_size: int
    max_buckets: int
    max_window_days: int


Size = Callable[[Mapping[str, Any], SizeEnv], int]
"""The most items a list field returns, given its coerced arguments."""


def bound(name: str) -> Size:
    """A size taken from `ListBounds`."""
    return lambda args, env: int(getattr(env.bounds, name))


def page(args: Mapping[str, Any], env: SizeEnv) -> int:
    """The page of the enclosing connection (its `first` or `last`)."""
    return env.page


def argument_length(name: str) -> Size:
    """As many items as the list argument `name` has."""
    return lambda args, env: len(args.get(name) or ())


def first_or_page(args: Mapping[str, Any], env: SizeEnv) -> int:
    """An unpaged list cut at `first` (default one page); 0 when the resolver refuses it."""
    wanted = args.get("first")
    if wanted is None:
        return DEFAULT_PAGE_SIZE
    return wanted if isinstance(wanted, int) and 1 <= wanted <= env.max_page_size else 0


def districts(args: Mapping[str, Any], env: SizeEnv) -> int:
    """`districts(level, parentCode)`: the gu, the dong of one gu, or every dong."""
    level = str(getattr(args.get("level"), "value", args.get("level")) or "gu").lower()
    if level != "dong":
        return env.bounds.gu
    return env.bounds.dong_per_gu if args.get("parentCode") is not None else env.bounds.dong


def buckets(args: Mapping[str, Any], env: SizeEnv) -> int:
    """`readings(from, to, bucketMinutes)`: one bucket per `bucketMinutes` of the window.

    A window the resolver refuses (over `max_window_days` or `max_buckets`, reversed, without
    a zone) reads nothing: it costs no bucket, so its own error code reaches the client.
    """
    start, end, minutes = args.get("from"), args.get("to"), args.get("bucketMinutes", 60)
    if not (isinstance(start, datetime) and isinstance(end, datetime) and isinstance(minutes, int)):
        return env.max_buckets
    if start.tzinfo is None or end.tzinfo is None or not 1 <= minutes <= 1440:
        return 0
    if not timedelta(0) < end - start <= timedelta(days=env.max_window_days):
        return 0
    count = math.ceil((end - start) / timedelta(minutes=minutes))
    return count if count <= env.max_buckets else 0


def history_hours(args: Mapping[str, Any], env: SizeEnv) -> int:
    """`predictionHistory(hours)`, `Prediction.history(hours)`: at most one window an hour
    (water's are hours; outbreak's and hotspots' longer); 0 when the resolver refuses them."""
    hours = args.get("hours", 48)
    return hours if isinstance(hours, int) and 1 <= hours <= MAX_HISTORY else 0


def one_gu_or_all(args: Mapping[str, Any], env: SizeEnv) -> int:
    """`airQuality(district)`: the gu named, or every gu."""
    return 1 if args.get("district") is not None else env.bounds.gu


def gu_cells(env: SizeEnv) -> int:
    """Resident cells (dong x birth year, plus unknown dong or year) one gu can hold."""
    return (env.bounds.dong_per_gu + 1) * (env.bounds.birth_years + 1)


def city_cells(env: SizeEnv) -> int:
    """Resident cells the whole city can hold."""
    return (env.bounds.dong + env.bounds.gu) * (env.bounds.birth_years + 1)


CELLS_PER_UNIT = 100
"""Resident cells read from the store and matched to the published table per unit of cost."""


@dataclass(frozen=True)
class SharedCost:
    """Work a field does once per request for each distinct key it reads, shared by every
    resolution of the same key (a per-request DataLoader): `each` per resolution, but never
    more than `most` for the whole operation, since the keys are bounded."""

    each: Callable[[SizeEnv], int]
    most: Callable[[SizeEnv], int]

    def charge(self, resolutions: int, env: SizeEnv) -> int:
        """The cost of `resolutions` resolutions in one operation."""
        return min(resolutions * self.each(env), self.most(env))


SHARED_COSTS: dict[str, SharedCost] = {
    # One gu's cells are read and matched to its published table once per request (aliases
    # and its dong share them): at most one gu's cells per count, the city's per operation.
    "District.residentCount": SharedCost(
        each=lambda env: math.ceil(gu_cells(env) / CELLS_PER_UNIT),
        most=lambda env: math.ceil(city_cells(env) / CELLS_PER_UNIT),
    ),
}
"""Keyed by `Type.field`; the field's `FIELD_COSTS` weight is still added per resolution."""


@dataclass(frozen=True)
class FieldCost:
    """A field's own weight (added per resolution) and, for a list, its size."""

    weight: int = 0
    size: Size | None = None


EMBEDDED_TYPES = frozenset(
    {"GeoPoint", "Measurement", "Distribution", "PageInfo", "CredentialAttributes"}
    | {"PollEligibility", "OptionCount", "DistrictTurnout", "KeyCount"}
    | {"ModelMetric", "Baseline", "TrainingData"}
)
"""Values carried inside their parent's row (a location, a reading's values, a dataset's
formats, a tally's counts): no fetch of their own and a few bytes, so they cost like scalars.
Lists of them still need a size below (their fields may one day be more than values)."""

MUTATION_WEIGHT = 10
"""Any mutation not listed: a write to the graph or the records (Shopify charges 10)."""

FIELD_COSTS: dict[str, FieldCost] = {
    # -- city: geometry and aggregates ------------------------------------------------
    # A dong's GeoJSON has ~160 vertices (6 KB, up to 800), a gu's ~50: one point per ~40.
    "District.boundary": FieldCost(weight=4),
    # Two binary searches in its gu's published table; reading the table is SHARED_COSTS'.
    "District.residentCount": FieldCost(weight=1),
    "Query.districts": FieldCost(size=districts),
    "District.adjacent": FieldCost(size=bound("adjacent_gu")),
    "District.dong": FieldCost(size=bound("dong_per_gu")),
    "District.sensors": FieldCost(size=bound("sensors_per_gu")),
    "Asset.mountedAssets": FieldCost(size=bound("assets_per_asset")),
    "Asset.sensors": FieldCost(size=bound("sensors_per_asset")),
    # -- connections: a COUNT over every match of the filter ----------------------------
    "AssetConnection.totalCount": FieldCost(weight=10),
    "CaseConnection.totalCount": FieldCost(weight=10),
    "CitizenConnection.totalCount": FieldCost(weight=10),
    "DatasetConnection.totalCount": FieldCost(weight=10),
    "SensorConnection.totalCount": FieldCost(weight=10),
    # -- sensing: readings are aggregated over a window ---------------------------------
    "Sensor.readings": FieldCost(weight=5, size=buckets),
    "Sensor.datasets": FieldCost(size=bound("datasets_per_sensor")),
    "Reading.values": FieldCost(size=bound("values_per_reading")),
    "SensorReadingEvent.values": FieldCost(size=bound("values_per_reading")),
    # sensing indicators: one aggregate query per figure over the readings or the alerts
    "Query.airQuality": FieldCost(weight=10, size=one_gu_or_all),
    "Query.districtReadings": FieldCost(weight=10, size=buckets),
    "Query.readingBands": FieldCost(size=lambda args, env: len(READING_BANDS)),
    "Query.alertStatistics": FieldCost(weight=10),
    "AlertStatistics.bySeverity": FieldCost(size=lambda args, env: len(Severity)),
    "AlertStatistics.byDataType": FieldCost(size=lambda args, env: len(RULES)),
    "Query.alerts": FieldCost(weight=5, size=first_or_page),
    "Query.ingestStatistics": FieldCost(weight=10),
    # -- services and data --------------------------------------------------------------
    "Query.services": FieldCost(size=bound("services")),
    "Query.departments": FieldCost(size=bound("departments")),
    "Department.datasets": FieldCost(size=bound("datasets_per_department")),
    "Case.events": FieldCost(size=first_or_page),
    # caseStatistics: one aggregate over the Case nodes and one over the case events
    "Query.caseStatistics": FieldCost(weight=20),
    "CaseStatistics.byStatus": FieldCost(size=lambda args, env: 2),  # CaseStatus: open, closed
    "CaseStatistics.byServiceGroup": FieldCost(size=bound("services")),
    "CaseStatistics.byService": FieldCost(size=bound("services")),
    "CaseStatistics.byDepartment": FieldCost(size=bound("departments")),
    "CaseStatistics.ageing": FieldCost(size=lambda args, env: 5),  # <1d 1-3d 3-7d 7-30d >30d
    "CaseStatistics.byDistrict": FieldCost(size=bound("gu")),
    "Dataset.distributions": FieldCost(size=bound("distributions_per_dataset")),
    "Dataset.derivedFrom": FieldCost(size=bound("datasets_per_dataset")),
    # catalogueStatistics: each figure is one COUNT over the catalogue's datasets
    "CatalogueStatistics.datasets": FieldCost(weight=10),
    "CatalogueStatistics.publishedToday": FieldCost(weight=10),
    "CatalogueStatistics.modifiedToday": FieldCost(weight=10),
    "CatalogueStatistics.byTheme": FieldCost(weight=10, size=lambda args, env: len(DATASET_THEMES)),
    "CatalogueStatistics.byPublisher": FieldCost(weight=10, size=bound("departments")),
    "CatalogueStatistics.apiCallsToday": FieldCost(weight=10),
    # usage: a grouped sum over the window's usage rows, and its total
    "Query.apiUsage": FieldCost(weight=20),
    "ApiUsage.rows": FieldCost(size=lambda args, env: env.max_page_size),
    # one SUM per window per page of datasets (a DataLoader), its share per dataset
    "Dataset.callCount": FieldCost(weight=1),
    # -- trust: proofs read log2(n) tree nodes; a QR code is drawn ----------------------
    "Query.logHead": FieldCost(weight=2),
    "Query.logConsistency": FieldCost(weight=5),
    "LogEntry.inclusionProof": FieldCost(weight=5),
    "Certificate.qrPayload": FieldCost(weight=5),
    "Certificate.qrSvg": FieldCost(weight=20),
    "Contract.bids": FieldCost(size=bound("bids_per_contract")),
    "Contract.history": FieldCost(size=bound("entries_per_contract")),
    # indicators: each figure group is two aggregate queries over the trust records
    "Query.certificateStatistics": FieldCost(weight=10),
    "CertificateStatistics.byKind": FieldCost(size=lambda args, env: len(CertificateKind)),
    "Query.procurementStatistics": FieldCost(weight=10),
    "ProcurementStatistics.byState": FieldCost(size=lambda args, env: len(ContractState)),
    "Query.contracts": FieldCost(size=first_or_page),
    "Query.logCheckpoints": FieldCost(size=first_or_page),
    # -- identity: polls and keys ----------------------------------------------------------
    "Query.issuerKeys": FieldCost(size=bound("issuer_keys")),
    "Poll.tally": FieldCost(size=bound("poll_options")),
    "Poll.turnout": FieldCost(size=bound("gu")),
    "District.polls": FieldCost(size=first_or_page),
    "Query.polls": FieldCost(size=first_or_page),
    "PollTally.tally": FieldCost(size=bound("poll_options")),
    # -- analytics: a model's card is read (and its file hashed) once per request ----------
    "Query.models": FieldCost(weight=5, size=lambda args, env: len(MODELS)),
    "Query.model": FieldCost(weight=2),
    "Model.metrics": FieldCost(size=bound("metrics_per_model")),
    "ModelMetric.baselines": FieldCost(size=bound("baselines_per_metric")),
    "ReviewConnection.totalCount": FieldCost(weight=10),
    # predictions: a window's summary (counts, end, version) is one grouped query per request
    "PredictionConnection.totalCount": FieldCost(weight=10),
    "PredictionConnection.alarmCount": FieldCost(weight=10),
    "Query.predictionHistory": FieldCost(weight=2, size=history_hours),
    "Prediction.history": FieldCost(weight=2, size=history_hours),
    "Prediction.measures": FieldCost(size=lambda args, env: len(WATER_MEASURES)),
    # -- API keys (data): a grouped count; a key's contact is one lookup of its request -------
    "ApiKeyRequestConnection.totalCount": FieldCost(weight=10),
    "ApiKey.contact": FieldCost(weight=2),
    # -- federation: one lookup per representation ----------------------------------------
    "Query._entities": FieldCost(size=argument_length("representations")),
    "Query._service": FieldCost(weight=5),
    # -- mutations with cryptography (the rest cost MUTATION_WEIGHT) -------------------------
    # BBS: a blind signature or a proof check with pairings takes 2-5 ms on arkworks, the
    # time of ~100 resolved objects (20-50 us each).
    "Mutation.requestCredential": FieldCost(weight=100),
    "Mutation.castBallot": FieldCost(weight=100),
    "Mutation.verifyPresentation": FieldCost(weight=100),
    # A log append with a signed tree head (Ed25519) and, for certificates, a QR payload.
    "Mutation.issueCertificate": FieldCost(weight=20),
    "Mutation.revokeCertificate": FieldCost(weight=20),
    "Mutation.createPoll": FieldCost(weight=20),
    # A log append with a signed tree head, and the review's row in its transaction.
    "Mutation.approveReview": FieldCost(weight=20),
    "Mutation.rejectReview": FieldCost(weight=20),
}
"""Keyed by `Type.field` as the schema spells them."""


def field_cost(parent: str, field: str, is_mutation_root: bool) -> FieldCost:
    """The table's entry for `parent.field`, or the default (mutations: `MUTATION_WEIGHT`)."""
    found = FIELD_COSTS.get(f"{parent}.{field}")
    if found is not None:
        return found
    return FieldCost(weight=MUTATION_WEIGHT) if is_mutation_root else DEFAULT


DEFAULT = FieldCost()
