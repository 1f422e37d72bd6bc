from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0018_persisted_documents")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ReadingLatest",
            fields=[
                ("sensor_id", fields.CharField(primary_key=True, max_length=64)),
                (
                    "reading_id",
                    fields.BigIntField(description="reading.id of the sensor's newest reading"),
                ),
                ("measured_at", fields.BigIntField(description="its time, epoch seconds, UTC")),
            ],
            options={
                "table": "reading_latest",
                "app": "models",
                "pk_attr": "sensor_id",
                "table_description": "The newest raw reading of each sensor, kept in the ingest's transaction.",
            },
            bases=["Model"],
        ),
        # the readings already stored: each sensor's newest (sensor and time are unique)
        ops.RunSQL(
            "INSERT INTO reading_latest (sensor_id, reading_id, measured_at) "
            "SELECT r.sensor_id, r.id, r.measured_at FROM reading r JOIN ("
            "SELECT sensor_id, max(measured_at) AS m FROM reading GROUP BY sensor_id) l "
            "ON r.sensor_id = l.sensor_id AND r.measured_at = l.m"
        ),
    ]
