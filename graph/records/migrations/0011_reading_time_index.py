from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0010_certificate_verifications")]

    initial = False

    operations = [
        # the ingest figures (readings in the last minute, hour, today; the newest reading)
        # select by time across every sensor: without it each is a scan of every raw reading
        ops.AddIndex(
            model_name="Reading", index=Index(fields=["measured_at"], name="reading_measured_at")
        ),
    ]
