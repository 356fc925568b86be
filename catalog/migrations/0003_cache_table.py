"""Create the database cache table (settings.CACHES without REDIS_URL), so ``migrate`` is the only setup step.

``createcachetable`` does nothing for other cache backends and skips a table that already exists.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_no_overlapping_price_periods")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=True)]
