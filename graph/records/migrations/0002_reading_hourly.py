from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ReadingHourly",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("sensor_id", fields.CharField(max_length=64)),
                ("data_type", fields.CharField(max_length=32)),
                ("hour", fields.BigIntField(description="epoch seconds of the hour's start, UTC")),
                ("n", fields.IntField()),
                ("total", fields.FloatField()),
                ("lo", fields.FloatField()),
                ("hi", fields.FloatField()),
            ],
            options={
                "table": "reading_hourly",
                "app": "models",
                "unique_together": (("sensor_id", "data_type", "hour"),),
                "pk_attr": "id",
                "table_description": "Hourly roll-up of one data type of one sensor, kept after raw readings expire.",
            },
            bases=["Model"],
        ),
    ]
