from django.db import migrations

from catalog import period_overlap


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(period_overlap.install, period_overlap.uninstall)]
