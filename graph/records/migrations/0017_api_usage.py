from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0016_api_key_requests")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ApiUsage",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("day", fields.IntField(description="Seoul date, days since 1970-01-01")),
                (
                    "client",
                    fields.CharField(description="a key's prefix, or 'public'", max_length=16),
                ),
                (
                    "operation",
                    fields.CharField(description="operation name or route", max_length=64),
                ),
                (
                    "dataset",
                    fields.CharField(
                        description="'' for the calls, else a Dataset id", max_length=64
                    ),
                ),
                ("calls", fields.BigIntField(default=0)),
            ],
            options={
                "table": "api_usage",
                "app": "models",
                "unique_together": (("day", "client", "operation", "dataset"),),
                "indexes": [Index(fields=["dataset", "day"], name="api_usage_dataset_day")],
                "pk_attr": "id",
                "table_description": "Calls the API served to one client on one Seoul day for one operation, and of those the",
            },
            bases=["Model"],
        ),
    ]
