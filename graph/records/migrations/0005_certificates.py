from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0004_verifiable_log")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Certificate",
            fields=[
                (
                    "cert_id",
                    fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40),
                ),
                ("kind", fields.CharField(max_length=32)),
                (
                    "document",
                    fields.TextField(
                        description="canonical JSON, the bytes document_sha256 hashes", unique=False
                    ),
                ),
                ("document_sha256", fields.CharField(max_length=64)),
                ("issued_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("leaf_index", fields.BigIntField()),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("revocation_reason", fields.CharField(default="", max_length=500)),
                ("revocation_leaf", fields.BigIntField(null=True)),
            ],
            options={
                "table": "certificate",
                "app": "models",
                "pk_attr": "cert_id",
                "table_description": "A certificate the city issued: the document, the leaf that logs its hash, any revocation.",
            },
            bases=["Model"],
        ),
    ]
