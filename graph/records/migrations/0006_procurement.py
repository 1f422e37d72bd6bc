from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0005_certificates")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Bid",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("contract_id", fields.CharField(max_length=40)),
                ("vendor_id", fields.CharField(max_length=40)),
                ("commitment", fields.CharField(max_length=64)),
                ("committed_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("price_krw", fields.BigIntField(null=True)),
                ("delivery_days", fields.IntField(null=True)),
                (
                    "revealed_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "score",
                    fields.IntField(null=True, description="0 to 1,000,000 (parts per million)"),
                ),
                ("rank", fields.IntField(null=True)),
            ],
            options={
                "table": "procurement_bid",
                "app": "models",
                "unique_together": (("contract_id", "vendor_id"),),
                "pk_attr": "id",
                "table_description": "A sealed bid: its commitment first, its price and delivery once revealed.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Contract",
            fields=[
                (
                    "contract_id",
                    fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40),
                ),
                ("title", fields.CharField(max_length=200)),
                ("department", fields.CharField(max_length=64)),
                ("receiving_department", fields.CharField(max_length=64)),
                ("ceiling_krw", fields.BigIntField()),
                ("state", fields.CharField(db_index=True, max_length=16)),
                ("weight_price", fields.IntField(default=0)),
                ("weight_delivery", fields.IntField(default=0)),
                ("weight_rating", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "published_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "bid_deadline",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "reveal_deadline",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "evaluated_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("awarded_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("awarded_vendor", fields.CharField(null=True, max_length=40)),
                ("awarded_price_krw", fields.BigIntField(null=True)),
                (
                    "delivered_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("paid_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "procurement_contract",
                "app": "models",
                "pk_attr": "contract_id",
                "table_description": "A standardised purchase under 100,000,000 KRW and where its state machine stands.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Vendor",
            fields=[
                (
                    "vendor_id",
                    fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40),
                ),
                ("name", fields.CharField(max_length=200)),
                ("rating", fields.IntField(description="0 to 100, from past deliveries")),
                ("secret_hash", fields.CharField(unique=True, max_length=64)),
                ("registered_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "procurement_vendor",
                "app": "models",
                "pk_attr": "vendor_id",
                "table_description": "A supplier registered for standardised purchases. Its secret is stored hashed.",
            },
            bases=["Model"],
        ),
    ]
