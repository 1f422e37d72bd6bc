"""Tortoise ORM models for facts over time, keyed by the same entity ids as the graph.

Readings are wide (one row per sensor per 2-minute tick, one nullable column per data type), as
S-DoT publishes them: 17x fewer rows than one row per value, and "latest per sensor" is one row.
Their time is epoch seconds (UTC) so that bucketing is the same integer arithmetic on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Reading(Model):
    id = fields.BigIntField(primary_key=True)
    sensor_id = fields.CharField(max_length=64)
    measured_at = fields.BigIntField(description="epoch seconds, UTC")
    pm25 = fields.FloatField(null=True)
    pm10 = fields.FloatField(null=True)
    temperature = fields.FloatField(null=True)
    humidity = fields.FloatField(null=True)
    wind_speed = fields.FloatField(null=True)
    wind_direction = fields.FloatField(null=True)
    illuminance = fields.FloatField(null=True)
    uv_index = fields.FloatField(null=True)
    noise = fields.FloatField(null=True)
    vibration = fields.FloatField(null=True)
    globe_temperature = fields.FloatField(null=True)
    no2 = fields.FloatField(null=True)
    co = fields.FloatField(null=True)
    so2 = fields.FloatField(null=True)
    nh3 = fields.FloatField(null=True)
    h2s = fields.FloatField(null=True)
    o3 = fields.FloatField(null=True)
    water_temperature = fields.FloatField(null=True)
    ph = fields.FloatField(null=True)
    dissolved_oxygen = fields.FloatField(null=True)
    turbidity = fields.FloatField(null=True)
    conductivity = fields.FloatField(null=True)
    total_nitrogen = fields.FloatField(null=True)
    total_phosphorus = fields.FloatField(null=True)

    class Meta:
        table = "reading"
        unique_together = (("sensor_id", "measured_at"),)
        indexes = (Index(fields=["measured_at"], name="reading_measured_at"),)
        """The ingest figures select by time across every sensor."""


class ReadingLatest(Model):
    """The newest raw reading of each sensor (`reading.id`), kept in the ingest's transaction:
    "latest" is then one lookup by key instead of a maximum over the sensor's history."""

    sensor_id = fields.CharField(max_length=64, primary_key=True)
    reading_id = fields.BigIntField(description="reading.id of the sensor's newest reading")
    measured_at = fields.BigIntField(description="its time, epoch seconds, UTC")

    class Meta:
        table = "reading_latest"


class ReadingHourly(Model):
    """Hourly roll-up of one data type of one sensor, kept after raw readings expire.

    Sum and count (not the mean) so that longer buckets average correctly; for a sound level
    also the sum of its energies, since its mean is by energy.
    """

    id = fields.BigIntField(primary_key=True)
    sensor_id = fields.CharField(max_length=64)
    data_type = fields.CharField(max_length=32)
    hour = fields.BigIntField(description="epoch seconds of the hour's start, UTC")
    n = fields.IntField()
    total = fields.FloatField()
    lo = fields.FloatField()
    hi = fields.FloatField()
    energy = fields.FloatField(null=True)
    """The sum of 10^(v/10) of the hour's readings for a sound level (which averages by
    energy, graph/records/levels.py); NULL for other data types."""

    class Meta:
        table = "reading_hourly"
        unique_together = (("sensor_id", "data_type", "hour"),)


class CaseEvent(Model):
    id = fields.BigIntField(primary_key=True)
    case_id = fields.CharField(max_length=64, db_index=True)
    district_code = fields.CharField(max_length=16, default="", db_default="")
    """The case's gu, so `caseUpdates(district:)` can replay missed events without the graph."""
    kind = fields.CharField(max_length=32)  # received | assigned | status_changed | note
    status = fields.CharField(max_length=16)
    note = fields.TextField(default="")
    department = fields.CharField(max_length=64, default="")
    actor = fields.CharField(max_length=64, default="")
    at = fields.DatetimeField()

    class Meta:
        table = "case_event"
        indexes = (
            ("case_id", "at"),
            Index(fields=["status", "kind", "at"], name="case_event_status_kind_at"),
        )
        """A case's history in order; a window's closings (graph/records/case_figures.py)."""


class Alert(Model):
    """A sensor's value crossing a rule's band (raised, escalated, eased or cleared)."""

    id = fields.BigIntField(primary_key=True)
    sensor_id = fields.CharField(max_length=64)
    district_code = fields.CharField(max_length=16)
    data_type = fields.CharField(max_length=32)
    severity = fields.CharField(max_length=16)  # warning | critical
    state = fields.CharField(max_length=16)  # raised | escalated | eased | cleared
    value = fields.FloatField()
    threshold = fields.FloatField()
    rule = fields.CharField(max_length=200)
    at = fields.DatetimeField()

    class Meta:
        table = "alert"
        indexes = (("sensor_id", "data_type", "id"),)


class ApiKey(Model):
    id = fields.IntField(primary_key=True)
    prefix = fields.CharField(max_length=16, unique=True)
    hash = fields.CharField(max_length=64, unique=True)
    tier = fields.CharField(max_length=16)
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    rotated_at = fields.DatetimeField(null=True, description="when its secret was last replaced")

    class Meta:
        table = "api_key"


class ApiKeyRequest(Model):
    """A developer's request for a key (graph/records/api_key_requests.py): pending until an
    operator approves or rejects it; the requester claims an approved key once with the claim
    token whose SHA-256 is `claim_hash`. `contact` and `client_ip` are personal data: the IP is
    cleared when the request is decided, the row deleted a retention period after it stops
    being needed (docs/security.md)."""

    request_id = fields.CharField(max_length=40, primary_key=True)
    name = fields.CharField(max_length=200)
    contact = fields.CharField(max_length=254, description="an e-mail address: personal data")
    purpose = fields.TextField()
    tier = fields.CharField(max_length=16, description="the tier asked for")
    status = fields.CharField(max_length=16, description="pending, approved or rejected")
    client_ip = fields.CharField(max_length=64, null=True, description="while pending only")
    claim_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)
    decided_by = fields.CharField(max_length=16, null=True, description="the operator key's prefix")
    granted_tier = fields.CharField(max_length=16, null=True)
    reason = fields.TextField(null=True, description="why it was rejected")
    key_prefix = fields.CharField(max_length=16, null=True, unique=True)
    claimed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_key_request"
        indexes = (
            Index(fields=["status", "created_at", "request_id"], name="api_key_request_status_at"),
            Index(fields=["status", "client_ip"], name="api_key_request_status_ip"),
        )


class SeedState(Model):
    """One row: what the stores hold, written last by a seed so a half-done seed is visible."""

    id = fields.IntField(primary_key=True)
    scale = fields.FloatField()
    history_days = fields.IntField()
    complete = fields.BooleanField(default=False)
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    counts: fields.Field[dict[str, int]] = fields.JSONField(default=dict)

    class Meta:
        table = "seed_state"


class LogEntry(Model):
    """One leaf of the verifiable log: the bytes hashed, what they record, the subtrees it closes.

    `subtree_hashes` holds the hashes of the complete subtrees whose last leaf this is, level 1
    upward, 32 bytes each (as Go's tlog stores hashes): one row per leaf holds the whole tree.
    """

    leaf_index = fields.BigIntField(primary_key=True, generated=False)
    kind = fields.CharField(max_length=64)
    subject = fields.CharField(max_length=128, db_index=True)
    leaf_input = fields.BinaryField()
    leaf_hash = fields.BinaryField()
    subtree_hashes = fields.BinaryField()
    appended_at = fields.BigIntField(description="epoch milliseconds, UTC")

    class Meta:
        table = "log_entry"


class LogHead(Model):
    """A signed tree head (a checkpoint note). The largest tree size is the current head."""

    tree_size = fields.BigIntField(primary_key=True, generated=False)
    root = fields.BinaryField()
    signed_at = fields.BigIntField(description="epoch milliseconds, UTC")
    checkpoint = fields.TextField()

    class Meta:
        table = "log_head"


class Certificate(Model):
    """A certificate the city issued: the document, the leaf that logs its hash, any revocation."""

    cert_id = fields.CharField(max_length=40, primary_key=True)
    kind = fields.CharField(max_length=32)
    document = fields.TextField(description="canonical JSON, the bytes document_sha256 hashes")
    document_sha256 = fields.CharField(max_length=64)
    issued_at = fields.DatetimeField()
    leaf_index = fields.BigIntField()
    revoked_at = fields.DatetimeField(null=True)
    revocation_reason = fields.CharField(max_length=500, default="")
    revocation_leaf = fields.BigIntField(null=True)

    class Meta:
        table = "certificate"


class CertificateVerificationDay(Model):
    """How many certificate verifications the platform served on one Seoul calendar day."""

    day = fields.CharField(max_length=10, primary_key=True, description="YYYY-MM-DD, Asia/Seoul")
    served = fields.BigIntField(default=0)

    class Meta:
        table = "certificate_verification_day"


class Vendor(Model):
    """A supplier registered for standardised purchases. Its secret is stored hashed."""

    vendor_id = fields.CharField(max_length=40, primary_key=True)
    name = fields.CharField(max_length=200)
    rating = fields.IntField(description="0 to 100, from past deliveries")
    secret_hash = fields.CharField(max_length=64, unique=True)
    registered_at = fields.DatetimeField()

    class Meta:
        table = "procurement_vendor"


class Contract(Model):
    """A standardised purchase under 100,000,000 KRW and where its state machine stands."""

    contract_id = fields.CharField(max_length=40, primary_key=True)
    title = fields.CharField(max_length=200)
    department = fields.CharField(max_length=64)
    receiving_department = fields.CharField(max_length=64)
    ceiling_krw = fields.BigIntField()
    state = fields.CharField(max_length=16, db_index=True)
    weight_price = fields.IntField(default=0)
    weight_delivery = fields.IntField(default=0)
    weight_rating = fields.IntField(default=0)
    created_at = fields.DatetimeField()
    published_at = fields.DatetimeField(null=True)
    bid_deadline = fields.DatetimeField(null=True)
    reveal_deadline = fields.DatetimeField(null=True)
    evaluated_at = fields.DatetimeField(null=True)
    awarded_at = fields.DatetimeField(null=True)
    awarded_vendor = fields.CharField(max_length=40, null=True)
    awarded_price_krw = fields.BigIntField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    paid_at = fields.DatetimeField(null=True)

    class Meta:
        table = "procurement_contract"


class Bid(Model):
    """A sealed bid: its commitment first, its price and delivery once revealed."""

    id = fields.BigIntField(primary_key=True)
    contract_id = fields.CharField(max_length=40)
    vendor_id = fields.CharField(max_length=40)
    commitment = fields.CharField(max_length=64)
    committed_at = fields.DatetimeField()
    price_krw = fields.BigIntField(null=True)
    delivery_days = fields.IntField(null=True)
    revealed_at = fields.DatetimeField(null=True)
    score = fields.IntField(null=True, description="0 to 1,000,000 (parts per million)")
    rank = fields.IntField(null=True)

    class Meta:
        table = "procurement_bid"
        unique_together = (("contract_id", "vendor_id"),)


class IssuerKey(Model):
    """The public half of one epoch's credential issuer key, and the log leaf that published it."""

    key_id = fields.CharField(max_length=40, primary_key=True)
    epoch = fields.CharField(max_length=7, unique=True, description="YYYY-MM, Asia/Seoul")
    ciphersuite = fields.CharField(max_length=64)
    public_key = fields.BinaryField()
    created_at = fields.DatetimeField()
    leaf_index = fields.BigIntField()

    class Meta:
        table = "issuer_key"


class EnrolmentCode(Model):
    """A one-time code the city hands a resident to enrol a wallet. Stored hashed."""

    code_sha256 = fields.CharField(max_length=64, primary_key=True)
    resident_id = fields.CharField(max_length=40, db_index=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "enrolment_code"


class ResidentWallet(Model):
    """The wallet key a resident enrolled with: it signs their later credential requests."""

    resident_id = fields.CharField(max_length=40, primary_key=True)
    wallet_key = fields.CharField(max_length=64, unique=True, description="Ed25519 key, hex")
    enrolled_at = fields.DatetimeField()

    class Meta:
        table = "resident_wallet"


class CredentialIssued(Model):
    """That a resident received the credential of an epoch (never what it said)."""

    id = fields.BigIntField(primary_key=True)
    resident_id = fields.CharField(max_length=40)
    epoch = fields.CharField(max_length=7)
    issued_at = fields.DatetimeField()

    class Meta:
        table = "credential_issued"
        unique_together = (("resident_id", "epoch"),)


class PresentationRequest(Model):
    """A verifier's request for attributes: its nonce is answered once, before it expires."""

    nonce = fields.CharField(max_length=64, primary_key=True)
    verifier = fields.CharField(max_length=64)
    request = fields.TextField(description="the request as canonical JSON, as the wallet sees it")
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "presentation_request"


class Poll(Model):
    """A neighbourhood poll: its definition is also the body of its poll.created log leaf."""

    poll_id = fields.CharField(max_length=40, primary_key=True)
    question = fields.CharField(max_length=300)
    options = fields.TextField(description="JSON list of the options, in order")
    eligibility = fields.TextField(description="JSON: districts and required flags")
    epoch = fields.CharField(max_length=7, description="the one issuer-key month it accepts")
    opens_at = fields.DatetimeField()
    closes_at = fields.DatetimeField()
    created_at = fields.DatetimeField()
    leaf_index = fields.BigIntField()

    class Meta:
        table = "poll"


class Ballot(Model):
    """An accepted ballot: its pseudonym (unique per poll), option, district and log leaf."""

    id = fields.BigIntField(primary_key=True)
    poll_id = fields.CharField(max_length=40, db_index=True)
    nullifier = fields.CharField(max_length=96, description="the pseudonym, hex")
    option_index = fields.IntField()
    district = fields.CharField(max_length=5)
    leaf_index = fields.BigIntField()
    cast_at = fields.DatetimeField()

    class Meta:
        table = "ballot"
        unique_together = (("poll_id", "nullifier"),)


class WriteIntent(Model):
    """A write to both the graph and the records under way, which start-up repair settles."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=32, description="what is written: case.filed, case.status")
    subject = fields.CharField(max_length=64, description="the entity id, as in the graph")
    state = fields.CharField(max_length=16, description="open, or repairing once claimed")
    started_at = fields.BigIntField(description="epoch milliseconds, UTC", db_index=True)

    class Meta:
        table = "write_intent"


class Review(Model):
    """A model's output that affects people, pending until an analyst approves or rejects it.

    `proposal` is the model's output as canonical JSON (no floats: decimal strings), the bytes
    `proposal_sha256` hashes; the decision's log leaf names it by that hash. `pending_key` is the
    proposal's key, unique per (kind, model, version, subject) and kept once decided, so a model
    version proposes the same thing about the same subject once, ever (ml/review.py); reviews
    decided before 2026-11-30 have it NULL.
    """

    review_id = fields.CharField(max_length=40, primary_key=True)
    model = fields.CharField(max_length=32, description="the proposing model: routing, outbreak …")
    model_version = fields.CharField(max_length=64)
    kind = fields.CharField(max_length=32, description="case_routing, patrol_allocation, …")
    subject = fields.CharField(max_length=128, description="a case id, gu/syndrome, a cell set")
    district_code = fields.CharField(max_length=16, null=True, db_index=True)
    proposal = fields.TextField(description="canonical JSON, the bytes proposal_sha256 hashes")
    proposal_sha256 = fields.CharField(max_length=64)
    status = fields.CharField(max_length=16, description="pending, approved or rejected")
    pending_key = fields.CharField(max_length=64, null=True, unique=True)
    created_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)
    decided_by = fields.CharField(max_length=200, null=True, description="the analyst key's name")
    decision = fields.TextField(null=True, description="canonical JSON: note, correction")
    leaf_index = fields.BigIntField(null=True, description="the decision's log leaf")

    class Meta:
        table = "ml_review"
        indexes = (
            Index(fields=["status", "created_at", "review_id"], name="ml_review_status_at"),
            Index(
                fields=["status", "kind", "created_at", "review_id"],
                name="ml_review_status_kind_at",
            ),
            Index(
                fields=["status", "district_code", "created_at", "review_id"],
                name="ml_review_status_district_at",
            ),
        )
        """The pending queue, newest first: all of it, by kind, by gu (ml/review.py)."""


class Prediction(Model):
    """One model output on the platform's data (ml/scoring): a water station's anomaly score for
    an hour, a gu and syndrome's outbreak probability for a day, a grid cell's expected incidents
    for an hour.

    `subject` is the thing scored (a sensor id, "<gu code>/<syndrome>", a cell id); the window is
    [window_start, window_end) in epoch seconds, UTC. Scoring the same subject and window again
    replaces the row (the newest model version's answer stands). `detail` is canonical JSON of
    what the score needs to be read (a cell's centre and corners, the measures that moved).
    """

    id = fields.BigIntField(primary_key=True)
    model = fields.CharField(max_length=32, description="water, outbreak, hotspots")
    model_version = fields.CharField(max_length=64)
    kind = fields.CharField(max_length=32, description="water_anomaly, outbreak_risk, hotspot_risk")
    subject = fields.CharField(max_length=128, description="a sensor id, gu/syndrome, a cell id")
    district_code = fields.CharField(max_length=16, null=True)
    window_start = fields.BigIntField(description="epoch seconds, UTC")
    window_end = fields.BigIntField(description="epoch seconds, UTC (exclusive)")
    score = fields.FloatField(description="the model's score in its own unit (docs/analytics.md)")
    alarm = fields.BooleanField(description="the score is at or past the model's threshold")
    detail = fields.TextField(null=True, description="canonical JSON")
    scored_at = fields.BigIntField(description="epoch seconds, UTC")

    class Meta:
        table = "ml_prediction"
        unique_together = (("kind", "subject", "window_start"),)
        indexes = (
            Index(fields=["kind", "window_start"], name="ml_prediction_kind_at"),
            Index(
                fields=["kind", "district_code", "window_start"],
                name="ml_prediction_kind_district_at",
            ),
        )
        """The newest window of a kind, city-wide or for one gu."""


class SyndromicCount(Model):
    """One day's count of one syndromic surveillance stream in one gu: emergency-room visits,
    pharmacy sales or web searches for a syndrome (ml/generators/outbreaks.py describes them).

    `day` is the Seoul calendar date as days since 1970-01-01; `count` NULL when the feed
    reported the day as missing.
    """

    id = fields.BigIntField(primary_key=True)
    district_code = fields.CharField(max_length=16)
    syndrome = fields.CharField(max_length=32)
    stream = fields.CharField(max_length=16, description="er, pharmacy, search")
    day = fields.IntField(description="Seoul date, days since 1970-01-01")
    count = fields.IntField(null=True)

    class Meta:
        table = "syndromic_count"
        unique_together = (("district_code", "syndrome", "stream", "day"),)
        indexes = (Index(fields=["day"], name="syndromic_count_day"),)
        """Scoring reads every gu's recent days at once."""


class Incident(Model):
    """A recorded incident report (a place and an hour, never a person): the hotspot model's
    past incidents. Position in WGS84 degrees; `reported_at` epoch seconds, UTC."""

    id = fields.BigIntField(primary_key=True)
    reported_at = fields.BigIntField(description="epoch seconds, UTC")
    lat = fields.FloatField()
    lon = fields.FloatField()
    district_code = fields.CharField(max_length=16)
    category = fields.CharField(max_length=32)

    class Meta:
        table = "incident"
        indexes = (
            Index(fields=["reported_at"], name="incident_reported_at"),
            Index(fields=["district_code", "reported_at"], name="incident_district_at"),
        )
        """Scoring reads the last weeks city-wide; a gu's page reads its own."""


class PersistedDocument(Model):
    """A trusted document an operator registered for a client, found by its text's SHA-256."""

    id = fields.IntField(primary_key=True)
    client = fields.CharField(max_length=100, description="the client the manifest came from")
    document_id = fields.CharField(
        max_length=128, description="the id the manifest gives: Apollo sha256, Relay md5"
    )
    sha256 = fields.CharField(max_length=64, db_index=True, description="of the text, hex")
    name = fields.CharField(max_length=200, null=True, description="the operation's name")
    operation_type = fields.CharField(max_length=16, description="query, mutation, subscription")
    body = fields.TextField(description="the document text, as registered")
    created_at = fields.DatetimeField()

    class Meta:
        table = "persisted_document"
        unique_together = (("client", "sha256"),)


class ApiUsage(Model):
    """Calls the API served to one client on one Seoul day for one operation, and of those the
    calls that touched one catalogue dataset (graph/records/api_usage.py).

    `client` is a key's public prefix or `public` (every caller without a key, together);
    `dataset` is '' on the row counting the calls themselves, a Dataset id on the rows
    counting the calls that touched it; `day` is the Seoul date as days since 1970-01-01.
    """

    id = fields.BigIntField(primary_key=True)
    day = fields.IntField(description="Seoul date, days since 1970-01-01")
    client = fields.CharField(max_length=16, description="a key's prefix, or 'public'")
    operation = fields.CharField(max_length=64, description="operation name or route")
    dataset = fields.CharField(max_length=64, description="'' for the calls, else a Dataset id")
    calls = fields.BigIntField(default=0)

    class Meta:
        table = "api_usage"
        unique_together = (("day", "client", "operation", "dataset"),)
        indexes = (Index(fields=["dataset", "day"], name="api_usage_dataset_day"),)
        """A dataset's calls over a window (`Dataset.callCount`)."""
