from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0008_polls")]

    initial = False

    operations = [
        ops.CreateModel(
            name="WriteIntent",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "kind",
                    fields.CharField(
                        description="what is written: case.filed, case.status", max_length=32
                    ),
                ),
                (
                    "subject",
                    fields.CharField(description="the entity id, as in the graph", max_length=64),
                ),
                (
                    "state",
                    fields.CharField(description="open, or repairing once claimed", max_length=16),
                ),
                (
                    "started_at",
                    fields.BigIntField(db_index=True, description="epoch milliseconds, UTC"),
                ),
            ],
            options={
                "table": "write_intent",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A write to both the graph and the records under way, which start-up repair settles.",
            },
            bases=["Model"],
        ),
    ]
