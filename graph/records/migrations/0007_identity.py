from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0006_procurement")]

    initial = False

    operations = [
        ops.CreateModel(
            name="CredentialIssued",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("resident_id", fields.CharField(max_length=40)),
                ("epoch", fields.CharField(max_length=7)),
                ("issued_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "credential_issued",
                "app": "models",
                "unique_together": (("resident_id", "epoch"),),
                "pk_attr": "id",
                "table_description": "That a resident received the credential of an epoch (never what it said).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="EnrolmentCode",
            fields=[
                (
                    "code_sha256",
                    fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64),
                ),
                ("resident_id", fields.CharField(db_index=True, max_length=40)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("expires_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("used_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "enrolment_code",
                "app": "models",
                "pk_attr": "code_sha256",
                "table_description": "A one-time code the city hands a resident to enrol a wallet. Stored hashed.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="IssuerKey",
            fields=[
                (
                    "key_id",
                    fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40),
                ),
                (
                    "epoch",
                    fields.CharField(unique=True, description="YYYY-MM, Asia/Seoul", max_length=7),
                ),
                ("ciphersuite", fields.CharField(max_length=64)),
                ("public_key", fields.BinaryField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("leaf_index", fields.BigIntField()),
            ],
            options={
                "table": "issuer_key",
                "app": "models",
                "pk_attr": "key_id",
                "table_description": "The public half of one epoch's credential issuer key, and the log leaf that published it.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PresentationRequest",
            fields=[
                (
                    "nonce",
                    fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64),
                ),
                ("verifier", fields.CharField(max_length=64)),
                (
                    "request",
                    fields.TextField(
                        description="the request as canonical JSON, as the wallet sees it",
                        unique=False,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("expires_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("used_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "presentation_request",
                "app": "models",
                "pk_attr": "nonce",
                "table_description": "A verifier's request for attributes: its nonce is answered once, before it expires.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ResidentWallet",
            fields=[
                (
                    "resident_id",
                    fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40),
                ),
                (
                    "wallet_key",
                    fields.CharField(unique=True, description="Ed25519 key, hex", max_length=64),
                ),
                ("enrolled_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "resident_wallet",
                "app": "models",
                "pk_attr": "resident_id",
                "table_description": "The wallet key a resident enrolled with: it signs their later credential requests.",
            },
            bases=["Model"],
        ),
    ]
