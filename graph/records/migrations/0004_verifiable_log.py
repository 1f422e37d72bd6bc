# Written by `tortoise makemigrations`; `generated=False` added by hand (the writer drops it).
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0003_alerts_and_case_districts")]

    initial = False

    operations = [
        ops.CreateModel(
            name="LogEntry",
            fields=[
                (
                    "leaf_index",
                    fields.BigIntField(
                        primary_key=True, generated=False, unique=True, db_index=True
                    ),
                ),
                ("kind", fields.CharField(max_length=64)),
                ("subject", fields.CharField(db_index=True, max_length=128)),
                ("leaf_input", fields.BinaryField()),
                ("leaf_hash", fields.BinaryField()),
                ("subtree_hashes", fields.BinaryField()),
                ("appended_at", fields.BigIntField(description="epoch milliseconds, UTC")),
            ],
            options={
                "table": "log_entry",
                "app": "models",
                "pk_attr": "leaf_index",
                "table_description": "One leaf of the verifiable log: the bytes hashed, what they record, the subtrees it closes.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="LogHead",
            fields=[
                (
                    "tree_size",
                    fields.BigIntField(
                        primary_key=True, generated=False, unique=True, db_index=True
                    ),
                ),
                ("root", fields.BinaryField()),
                ("signed_at", fields.BigIntField(description="epoch milliseconds, UTC")),
                ("checkpoint", fields.TextField(unique=False)),
            ],
            options={
                "table": "log_head",
                "app": "models",
                "pk_attr": "tree_size",
                "table_description": "A signed tree head (a checkpoint note). The largest tree size is the current head.",
            },
            bases=["Model"],
        ),
    ]
