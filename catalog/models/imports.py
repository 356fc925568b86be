from django.conf import settings
from django.db import models


class ImportFormat(models.TextChoices):
    FIXTURE = "fixture", "Fixture (JSON or YAML, natural keys)"
    CSV = "csv", "CSV for one catalog table"
    EPOCH_HARDWARE = "epoch-hardware", "Epoch AI machine-learning hardware (CSV)"
    EPOCH_MODELS = "epoch-models", "Epoch AI notable or all models (CSV)"
    LITELLM = "litellm", "LiteLLM model_prices_and_context_window.json"


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
    flagged = models.PositiveIntegerField(default=0, help_text="Entries kept for review (unmatched offerings).")
    file_error = models.TextField(blank=True, help_text="Why the file could not be read at all.")
    rows = models.JSONField(default=list, help_text="Per record: where, key, action, field changes, messages.")
    # A previewed file waits here (in the database, so any app server can apply it) until it is confirmed.
    pending_file = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()}, {self.created_at:%Y-%m-%d %H:%M})"


class UnmatchedOffering(models.Model):
    """A price from an imported price map whose model the catalog cannot name: kept for a person to review.

    Neither dropped nor turned into a made-up foundation model: a curator links it to a model (and it
    becomes a price point) or deletes it.
    """

    import_run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="unmatched_offerings")
    provider = models.ForeignKey("catalog.Organization", null=True, blank=True, on_delete=models.SET_NULL)
    provider_name = models.CharField(max_length=120, help_text="The provider as the file names it.")
    api_model_id = models.CharField("API model id", max_length=200)
    mode = models.CharField(max_length=40, blank=True, help_text="chat, completion, embedding, image...")
    context_tier = models.CharField(max_length=40, default="standard")
    input_per_mtok = models.DecimalField(max_digits=14, decimal_places=6, null=True, blank=True)
    output_per_mtok = models.DecimalField(max_digits=14, decimal_places=6, null=True, blank=True)
    cached_input_per_mtok = models.DecimalField(max_digits=14, decimal_places=6, null=True, blank=True)
    effective_from = models.DateField()
    details = models.JSONField(default=dict, blank=True, help_text="The entry as the file gave it.")

    class Meta:
        ordering = ["provider_name", "api_model_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_name", "api_model_id", "context_tier", "effective_from"],
                name="unmatchedoffering_unique_entry",
            )
        ]

    def __str__(self):
        return f"{self.provider_name}: {self.api_model_id} ({self.context_tier})"
