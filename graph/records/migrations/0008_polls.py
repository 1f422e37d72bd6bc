from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0007_identity")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Ballot",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("poll_id", fields.CharField(db_index=True, max_length=40)),
                ("nullifier", fields.CharField(description="the pseudonym, hex", max_length=96)),
                ("option_index", fields.IntField()),
                ("district", fields.CharField(max_length=5)),
                ("leaf_index", fields.BigIntField()),
                ("cast_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "ballot",
                "app": "models",
                "unique_together": (("poll_id", "nullifier"),),
                "pk_attr": "id",
                "table_description": "An accepted ballot: its pseudonym (unique per poll), option, district and log leaf.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Poll",
            fields=[
                (
                    "poll_id",
                    fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40),
                ),
                ("question", fields.CharField(max_length=300)),
                (
                    "options",
                    fields.TextField(
                        description="JSON list of the options, in order", unique=False
                    ),
                ),
                (
                    "eligibility",
                    fields.TextField(
                        description="JSON: districts and required flags", unique=False
                    ),
                ),
                (
                    "epoch",
                    fields.CharField(
                        description="the one issuer-key month it accepts", max_length=7
                    ),
                ),
                ("opens_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("closes_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("leaf_index", fields.BigIntField()),
            ],
            options={
                "table": "poll",
                "app": "models",
                "pk_attr": "poll_id",
                "table_description": "A neighbourhood poll: its definition is also the body of its poll.created log leaf.",
            },
            bases=["Model"],
        ),
    ]
