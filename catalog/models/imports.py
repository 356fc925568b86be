from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportFormat(models.TextChoices):
    FIXTURE = "fixture", "Fixture (JSON or YAML, natural keys)"
    CSV = "csv", "CSV for one catalog table"
    EPOCH_HARDWARE = "epoch-hardware", "Epoch AI machine-learning hardware (CSV)"
    EPOCH_MODELS = "epoch-models", "Epoch AI notable or all models (CSV)"
    LITELLM = "litellm", "LiteLLM model_prices_and_context_window.json"
    EPOCH_BENCHMARKS = "epoch-benchmarks", "Epoch AI Benchmarking Hub runs (CSV)"


class ImportRun(models.Model):
    """The change log: one row per import, previewed or applied, with what it did to each record."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "Previewed (dry run, nothing written)"
        APPLIED = "applied", "Applied"
        REFUSED = "refused", "Refused (errors, nothing written)"

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.SET_NULL
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size_bytes = models.PositiveBigIntegerField(
        _("size (bytes)"),
    )
    format = models.CharField(_("format"), max_length=20, choices=ImportFormat.choices)
    table = models.CharField(
        _("table"), max_length=40, blank=True, help_text=_("For CSV: the catalog table it was read into.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    flagged = models.PositiveIntegerField(
        _("flagged"), default=0, help_text=_("Entries kept for review (unmatched offerings).")
    )
    file_error = models.TextField(_("file error"), blank=True, help_text=_("Why the file could not be read at all."))
    rows = models.JSONField(
        _("rows"), default=list, help_text=_("Per record: where, key, action, field changes, messages.")
    )
    # A previewed file waits here (in the database, so any app server can apply it) until it is confirmed.
    pending_file = models.BinaryField(_("pending file"), null=True, blank=True, editable=False)
    # What the preview would do to every row, as a SHA-256 (see importers.engine.outcomes_digest): confirming
    # applies the file only while it still would do exactly that. Never shown, so not translated.
    preview_digest = models.CharField("preview digest", max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()}, {self.created_at:%Y-%m-%d %H:%M})"


class UnmatchedOffering(models.Model):
    """A price from an imported price map whose model the catalog cannot name: kept for a person to review.

    Neither dropped nor turned into a made-up foundation model: a curator links it to a model (and it
    becomes a price point) or deletes it.
    """

    import_run = models.ForeignKey(
        ImportRun, verbose_name=_("import run"), on_delete=models.CASCADE, related_name="unmatched_offerings"
    )
    provider = models.ForeignKey(
        "catalog.Organization", verbose_name=_("provider"), null=True, blank=True, on_delete=models.SET_NULL
    )
    provider_name = models.CharField(
        _("provider name"), max_length=120, help_text=_("The provider as the file names it.")
    )
    api_model_id = models.CharField(_("API model id"), max_length=200)
    mode = models.CharField(_("mode"), max_length=40, blank=True, help_text=_("chat, completion, embedding, image..."))
    context_tier = models.CharField(_("context tier"), max_length=40, default="standard")
    input_per_mtok = models.DecimalField(
        _("input (USD per 1M tokens)"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    output_per_mtok = models.DecimalField(
        _("output (USD per 1M tokens)"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    cached_input_per_mtok = models.DecimalField(
        _("cached input (USD per 1M tokens)"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    effective_from = models.DateField(
        _("effective from"),
    )
    details = models.JSONField(_("details"), default=dict, blank=True, help_text=_("The entry as the file gave it."))

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting review")
        LINKED = "linked", _("Linked to a model")
        IGNORED = "ignored", _("Ignored")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    price = models.ForeignKey(
        "catalog.PricePoint",
        verbose_name=_("price made from it"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_note = models.CharField(
        _("review note"), max_length=300, blank=True, help_text=_("Why it was ignored, or how it was linked.")
    )

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
