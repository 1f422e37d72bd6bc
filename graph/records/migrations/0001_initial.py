import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="ApiKey",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("prefix", fields.CharField(unique=True, max_length=16)),
                ("hash", fields.CharField(unique=True, max_length=64)),
                ("tier", fields.CharField(max_length=16)),
                ("name", fields.CharField(max_length=200)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "api_key", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CaseEvent",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("case_id", fields.CharField(db_index=True, max_length=64)),
                ("kind", fields.CharField(max_length=32)),
                ("status", fields.CharField(max_length=16)),
                ("note", fields.TextField(default="", unique=False)),
                ("department", fields.CharField(default="", max_length=64)),
                ("actor", fields.CharField(default="", max_length=64)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "case_event",
                "app": "models",
                "indexes": [Index(fields=["case_id", "at"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Reading",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("sensor_id", fields.CharField(max_length=64)),
                ("measured_at", fields.BigIntField(description="epoch seconds, UTC")),
                ("pm25", fields.FloatField(null=True)),
                ("pm10", fields.FloatField(null=True)),
                ("temperature", fields.FloatField(null=True)),
                ("humidity", fields.FloatField(null=True)),
                ("wind_speed", fields.FloatField(null=True)),
                ("wind_direction", fields.FloatField(null=True)),
                ("illuminance", fields.FloatField(null=True)),
                ("uv_index", fields.FloatField(null=True)),
                ("noise", fields.FloatField(null=True)),
                ("vibration", fields.FloatField(null=True)),
                ("globe_temperature", fields.FloatField(null=True)),
                ("no2", fields.FloatField(null=True)),
                ("co", fields.FloatField(null=True)),
                ("so2", fields.FloatField(null=True)),
                ("nh3", fields.FloatField(null=True)),
                ("h2s", fields.FloatField(null=True)),
                ("o3", fields.FloatField(null=True)),
                ("water_temperature", fields.FloatField(null=True)),
                ("ph", fields.FloatField(null=True)),
                ("dissolved_oxygen", fields.FloatField(null=True)),
                ("turbidity", fields.FloatField(null=True)),
                ("conductivity", fields.FloatField(null=True)),
            ],
            options={
                "table": "reading",
                "app": "models",
                "unique_together": (("sensor_id", "measured_at"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SeedState",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("scale", fields.FloatField()),
                ("history_days", fields.IntField()),
                ("complete", fields.BooleanField(default=False)),
                ("started_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "finished_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "counts",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
            ],
            options={
                "table": "seed_state",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One row: what the stores hold, written last by a seed so a half-done seed is visible.",
            },
            bases=["Model"],
        ),
    ]
