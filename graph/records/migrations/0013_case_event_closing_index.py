from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0012_reading_hourly_energy")]

    initial = False

    operations = [
        # the case figures (graph/records/case_figures.py) select a window's closings by kind,
        # status and time: without it each render scans every case event
        ops.AddIndex(
            model_name="CaseEvent",
            index=Index(fields=["status", "kind", "at"], name="case_event_status_kind_at"),
        ),
    ]
