from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0011_reading_time_index")]

    initial = False

    operations = [
        # a sound level's hours average by energy (graph/records/levels.py): the roll-up keeps
        # the sum of 10^(L/10) of the hour's readings beside their plain sum
        ops.AddField(
            model_name="ReadingHourly",
            name="energy",
            field=fields.FloatField(null=True),
        ),
        # hours rolled up before this held only the plain sum: their energy is taken as that of
        # their arithmetic mean, n·10^(mean/10), a lower bound of the true one (no reading is
        # left to do better)
        ops.RunSQL(
            "UPDATE reading_hourly SET energy = n * power(10, (total / n) / 10.0) "
            "WHERE data_type = 'noise' AND n > 0"
        ),
    ]
