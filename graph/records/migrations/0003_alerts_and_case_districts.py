from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0002_reading_hourly")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Alert",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("sensor_id", fields.CharField(max_length=64)),
                ("district_code", fields.CharField(max_length=16)),
                ("data_type", fields.CharField(max_length=32)),
                ("severity", fields.CharField(max_length=16)),
                ("state", fields.CharField(max_length=16)),
                ("value", fields.FloatField()),
                ("threshold", fields.FloatField()),
                ("rule", fields.CharField(max_length=200)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "alert",
                "app": "models",
                "indexes": [Index(fields=["sensor_id", "data_type", "id"])],
                "pk_attr": "id",
                "table_description": "A sensor's value crossing a rule's band (raised, escalated, eased or cleared).",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="CaseEvent",
            name="district_code",
            field=fields.CharField(default="", db_default="", max_length=16),
        ),
    ]
