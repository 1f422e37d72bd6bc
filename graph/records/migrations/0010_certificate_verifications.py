from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0009_write_intents")]

    initial = False

    operations = [
        ops.CreateModel(
            name="CertificateVerificationDay",
            fields=[
                (
                    "day",
                    fields.CharField(
                        primary_key=True,
                        unique=True,
                        db_index=True,
                        description="YYYY-MM-DD, Asia/Seoul",
                        max_length=10,
                    ),
                ),
                ("served", fields.BigIntField(default=0)),
            ],
            options={
                "table": "certificate_verification_day",
                "app": "models",
                "pk_attr": "day",
                "table_description": "How many certificate verifications the platform served on one Seoul calendar day.",
            },
            bases=["Model"],
        ),
    ]
