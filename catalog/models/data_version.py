"""One counter that every write to the catalog moves (see catalog/cache/data_version.py).

A single row, read by primary key: cached answers are keyed by it, so a write made on any app server is
seen by every other one at its next request, and a replica is trusted only once it has caught up with it.
"""

from django.db import models


class DataVersion(models.Model):
    SINGLETON_ID = 1

    version = models.BigIntegerField(default=0)

    class Meta:
        db_table = "landscape_data_version"  # outside the catalog_ prefix on purpose: moving it is not a write

    def __str__(self):
        return f"data version {self.version}"
