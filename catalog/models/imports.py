from django.conf import settings
from django.db import models


class ImportFormat(models.TextChoices):
    FIXTURE = "fixture", "Fixture (JSON or YAML, natural keys)"
    CSV = "csv", "CSV for one catalog table"


class ImportRun(models.Model):
    """The change log: one row per import, previewed or applied, with what it did to each record."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "Previewed (dry run, nothing written)"
        APPLIED = "applied", "Applied"
        REFUSED = "refused", "Refused (errors, nothing written)"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    size_bytes = models.PositiveBigIntegerField()
    format = models.CharField(max_length=20, choices=ImportFormat.choices)
    table = models.CharField(max_length=40, blank=True, help_text="For CSV: the catalog table it was read into.")
    status = models.CharField(max_length=10, choices=Status.choices)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    file_error = models.TextField(blank=True, help_text="Why the file could not be read at all.")
    rows = models.JSONField(default=list, help_text="Per record: where, key, action, field changes, messages.")
    # A previewed file waits here (in the database, so any app server can apply it) until it is confirmed.
    pending_file = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()}, {self.created_at:%Y-%m-%d %H:%M})"
