from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0013_case_event_closing_index")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Review",
            fields=[
                (
                    "review_id",
                    fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40),
                ),
                (
                    "model",
                    fields.CharField(
                        description="the proposing model: routing, outbreak …", max_length=32
                    ),
                ),
                ("model_version", fields.CharField(max_length=64)),
                (
                    "kind",
                    fields.CharField(
                        description="case_routing, patrol_allocation, …", max_length=32
                    ),
                ),
                (
                    "subject",
                    fields.CharField(
                        description="a case id, gu/syndrome, a cell set", max_length=128
                    ),
                ),
                ("district_code", fields.CharField(null=True, db_index=True, max_length=16)),
                (
                    "proposal",
                    fields.TextField(
                        description="canonical JSON, the bytes proposal_sha256 hashes", unique=False
                    ),
                ),
                ("proposal_sha256", fields.CharField(max_length=64)),
                (
                    "status",
                    fields.CharField(description="pending, approved or rejected", max_length=16),
                ),
                ("pending_key", fields.CharField(null=True, unique=True, max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("decided_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "decided_by",
                    fields.CharField(
                        null=True, description="the analyst key's name", max_length=200
                    ),
                ),
                (
                    "decision",
                    fields.TextField(
                        null=True, description="canonical JSON: note, correction", unique=False
                    ),
                ),
                (
                    "leaf_index",
                    fields.BigIntField(null=True, description="the decision's log leaf"),
                ),
            ],
            options={
                "table": "ml_review",
                "app": "models",
                "indexes": [
                    Index(fields=["status", "created_at", "review_id"], name="ml_review_status_at"),
                    Index(
                        fields=["status", "kind", "created_at", "review_id"],
                        name="ml_review_status_kind_at",
                    ),
                    Index(
                        fields=["status", "district_code", "created_at", "review_id"],
                        name="ml_review_status_district_at",
                    ),
                ],
                "pk_attr": "review_id",
                "table_description": "A model's output that affects people, pending until an analyst approves or rejects it.",
            },
            bases=["Model"],
        ),
    ]
