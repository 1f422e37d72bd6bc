from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0017_api_usage")]

    initial = False

    operations = [
        ops.CreateModel(
            name="PersistedDocument",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "client",
                    fields.CharField(
                        description="the client the manifest came from", max_length=100
                    ),
                ),
                (
                    "document_id",
                    fields.CharField(
                        description="the id the manifest gives: Apollo sha256, Relay md5",
                        max_length=128,
                    ),
                ),
                (
                    "sha256",
                    fields.CharField(db_index=True, description="of the text, hex", max_length=64),
                ),
                (
                    "name",
                    fields.CharField(null=True, description="the operation's name", max_length=200),
                ),
                (
                    "operation_type",
                    fields.CharField(description="query, mutation, subscription", max_length=16),
                ),
                (
                    "body",
                    fields.TextField(description="the document text, as registered", unique=False),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "persisted_document",
                "app": "models",
                "unique_together": (("client", "sha256"),),
                "pk_attr": "id",
                "table_description": "A trusted document an operator registered for a client, found by its text's SHA-256.",
            },
            bases=["Model"],
        ),
    ]
