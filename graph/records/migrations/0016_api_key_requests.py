from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0015_ml_predictions_and_feeds")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ApiKeyRequest",
            fields=[
                (
                    "request_id",
                    fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40),
                ),
                ("name", fields.CharField(max_length=200)),
                (
                    "contact",
                    fields.CharField(
                        description="an e-mail address: personal data", max_length=254
                    ),
                ),
                ("purpose", fields.TextField(unique=False)),
                ("tier", fields.CharField(description="the tier asked for", max_length=16)),
                (
                    "status",
                    fields.CharField(description="pending, approved or rejected", max_length=16),
                ),
                (
                    "client_ip",
                    fields.CharField(null=True, description="while pending only", max_length=64),
                ),
                ("claim_hash", fields.CharField(unique=True, max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("decided_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "decided_by",
                    fields.CharField(
                        null=True, description="the operator key's prefix", max_length=16
                    ),
                ),
                ("granted_tier", fields.CharField(null=True, max_length=16)),
                (
                    "reason",
                    fields.TextField(null=True, description="why it was rejected", unique=False),
                ),
                ("key_prefix", fields.CharField(null=True, unique=True, max_length=16)),
                ("claimed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "api_key_request",
                "app": "models",
                "indexes": [
                    Index(
                        fields=["status", "created_at", "request_id"],
                        name="api_key_request_status_at",
                    ),
                    Index(fields=["status", "client_ip"], name="api_key_request_status_ip"),
                ],
                "pk_attr": "request_id",
                "table_description": "A developer's request for an API key, pending until an operator decides it",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="ApiKey",
            name="rotated_at",
            field=fields.DatetimeField(
                null=True,
                description="when its secret was last replaced",
                auto_now=False,
                auto_now_add=False,
            ),
        ),
    ]
