from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0014_ml_review")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Incident",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("reported_at", fields.BigIntField(description="epoch seconds, UTC")),
                ("lat", fields.FloatField()),
                ("lon", fields.FloatField()),
                ("district_code", fields.CharField(max_length=16)),
                ("category", fields.CharField(max_length=32)),
            ],
            options={
                "table": "incident",
                "app": "models",
                "indexes": [
                    Index(fields=["reported_at"], name="incident_reported_at"),
                    Index(fields=["district_code", "reported_at"], name="incident_district_at"),
                ],
                "pk_attr": "id",
                "table_description": "A recorded incident report (a place and an hour, never a person): the hotspot model's",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Prediction",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("model", fields.CharField(description="water, outbreak, hotspots", max_length=32)),
                ("model_version", fields.CharField(max_length=64)),
                (
                    "kind",
                    fields.CharField(
                        description="water_anomaly, outbreak_risk, hotspot_risk", max_length=32
                    ),
                ),
                (
                    "subject",
                    fields.CharField(
                        description="a sensor id, gu/syndrome, a cell id", max_length=128
                    ),
                ),
                ("district_code", fields.CharField(null=True, max_length=16)),
                ("window_start", fields.BigIntField(description="epoch seconds, UTC")),
                ("window_end", fields.BigIntField(description="epoch seconds, UTC (exclusive)")),
                (
                    "score",
                    fields.FloatField(
                        description="the model's score in its own unit (docs/analytics.md)"
                    ),
                ),
                (
                    "alarm",
                    fields.BooleanField(
                        description="the score is at or past the model's threshold"
                    ),
                ),
                ("detail", fields.TextField(null=True, description="canonical JSON", unique=False)),
                ("scored_at", fields.BigIntField(description="epoch seconds, UTC")),
            ],
            options={
                "table": "ml_prediction",
                "app": "models",
                "unique_together": (("kind", "subject", "window_start"),),
                "indexes": [
                    Index(fields=["kind", "window_start"], name="ml_prediction_kind_at"),
                    Index(
                        fields=["kind", "district_code", "window_start"],
                        name="ml_prediction_kind_district_at",
                    ),
                ],
                "pk_attr": "id",
                "table_description": "One model output on the platform's data (ml/scoring): a water station's anomaly score for",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SyndromicCount",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("district_code", fields.CharField(max_length=16)),
                ("syndrome", fields.CharField(max_length=32)),
                ("stream", fields.CharField(description="er, pharmacy, search", max_length=16)),
                ("day", fields.IntField(description="Seoul date, days since 1970-01-01")),
                ("count", fields.IntField(null=True)),
            ],
            options={
                "table": "syndromic_count",
                "app": "models",
                "unique_together": (("district_code", "syndrome", "stream", "day"),),
                "indexes": [Index(fields=["day"], name="syndromic_count_day")],
                "pk_attr": "id",
                "table_description": "One day's count of one syndromic surveillance stream in one gu: emergency-room visits,",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Reading",
            name="total_nitrogen",
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name="Reading",
            name="total_phosphorus",
            field=fields.FloatField(null=True),
        ),
    ]
