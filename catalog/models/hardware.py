from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.choices import DatePrecision, HardwareKind, HardwareUse, MemoryType
from catalog.figures import DERIVED_METRICS, HARDWARE_FIGURES, HARDWARE_NUMBERS
from catalog.models.base import (
    DIVISOR,
    NON_NEGATIVE,
    KoreanNameMixin,
    SlugManager,
    SlugNaturalKeyMixin,
    SourcedFact,
    korean_name_field,
    non_negative_constraints,
)

# SI units, like Epoch AI's hardware table, so its rows import without conversion. Every figure's label, unit,
# format and better direction lives in catalog.figures (HARDWARE_FIGURES: the stored ones in display order,
# DERIVED_METRICS: the ratios); adding a figure there shows it everywhere.
THROUGHPUT_FIELDS = ["fp64_flops", "fp32_flops", "tf32_flops", "bf16_flops", "fp8_flops", "int8_ops", "fp4_flops"]


class HardwareQuerySet(models.QuerySet):
    def with_derived_metrics(self):
        return self.annotate(**{name: metric.expression() for name, metric in DERIVED_METRICS.items()})

    def accelerators(self):
        """Everything but the landmark CPUs kept for the Moore's-law series."""
        return self.exclude(kind=HardwareKind.CPU)

    def with_roofline(self, peak_fields=("bf16_flops",)):
        """Accelerators with a roofline: a memory bandwidth and a peak at one of ``peak_fields`` (both above 0).

        The roofline chart and its picker use the BF16 peak; the benchmark's bounds accept FP32 or BF16.
        """
        any_peak = models.Q()
        for field in peak_fields:
            any_peak |= models.Q(**{f"{field}__gt": 0})
        return self.accelerators().filter(any_peak, memory_bandwidth__gt=0)

    def with_cloud_price(self):
        """Chips some cloud offering in the catalog rents out (at any date)."""
        return self.filter(cloud_prices__isnull=False).distinct()


class HardwareManager(SlugManager.from_queryset(HardwareQuerySet)):
    pass


def throughput_field(verbose_name):
    return models.FloatField(
        verbose_name,
        null=True,
        blank=True,
        validators=DIVISOR,
        help_text=_("Dense (no structured sparsity), per package, at the boost clock."),
    )


class Hardware(KoreanNameMixin, SlugNaturalKeyMixin, SourcedFact):
    """One accelerator package (or a landmark CPU, for the Moore's-law series).

    Variants that differ in memory or form factor (V100 SXM2 16 GB vs PCIe) are separate rows sharing a
    ``family``; figures are per package as sold (a GB200 superchip counts its two B200 dies).
    """

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=150)
    name_ko = korean_name_field()
    family = models.CharField(_("family"), max_length=80, blank=True, help_text=_("e.g. H100, TPU v5, Gaudi."))
    aliases = models.JSONField(
        _("aliases"),
        default=list,
        blank=True,
        help_text=_("Other names for this row in outside data (Epoch AI, LiteLLM ids): importers match on them."),
    )
    form_factor = models.CharField(
        _("form factor"), max_length=40, blank=True, help_text=_("SXM, PCIe, OAM, superchip, card...")
    )
    vendor = models.ForeignKey(
        "catalog.Organization", verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="hardware"
    )
    foundry = models.ForeignKey(
        "catalog.Organization",
        verbose_name=_("foundry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fabricated_hardware",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=HardwareKind.choices)
    use = models.CharField(_("use"), max_length=10, choices=HardwareUse.choices, default=HardwareUse.BOTH)
    release_date = models.DateField(_("release date"), null=True, blank=True)
    release_date_precision = models.CharField(
        _("release date precision"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    process_nm = models.FloatField(_("process node (nm)"), null=True, blank=True, validators=NON_NEGATIVE)
    transistors = models.BigIntegerField(_("transistors"), null=True, blank=True, validators=NON_NEGATIVE)
    die_area_mm2 = models.FloatField(_("die area (mm²)"), null=True, blank=True, validators=DIVISOR)
    tdp_watts = models.FloatField(_("TDP (W)"), null=True, blank=True, validators=DIVISOR)
    fp64_flops = throughput_field(_("FP64 dense peak (FLOP/s)"))
    fp32_flops = throughput_field(_("FP32 dense peak (FLOP/s)"))
    tf32_flops = throughput_field(_("TF32 dense peak (FLOP/s)"))
    bf16_flops = throughput_field(_("BF16/FP16 tensor dense peak (FLOP/s)"))
    fp8_flops = throughput_field(_("FP8 dense peak (FLOP/s)"))
    int8_ops = throughput_field(_("INT8 dense peak (OP/s)"))
    fp4_flops = throughput_field(_("FP4 dense peak (FLOP/s)"))
    memory_bytes = models.BigIntegerField(_("memory (bytes)"), null=True, blank=True, validators=NON_NEGATIVE)
    memory_type = models.CharField(_("memory type"), max_length=10, choices=MemoryType.choices, blank=True)
    memory_bandwidth = models.FloatField(
        _("memory bandwidth (byte/s)"), null=True, blank=True, validators=DIVISOR, help_text=_("Off-chip memory.")
    )
    sram_bytes = models.BigIntegerField(_("on-chip SRAM (bytes)"), null=True, blank=True, validators=NON_NEGATIVE)
    interconnect_bandwidth = models.FloatField(
        _("interconnect bandwidth (byte/s)"),
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text=_("Chip-to-chip, total of all links (NVLink, ICI, Infinity Fabric...)."),
    )
    launch_price_usd = models.DecimalField(
        _("launch price (USD)"), max_digits=12, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)

    objects = HardwareManager()
    figures = HARDWARE_FIGURES  # for templates: {% for field, unit in chip.figures.items %}

    class Meta:
        ordering = ["vendor__name", "release_date", "name"]
        verbose_name_plural = _("hardware")
        constraints = non_negative_constraints("hardware", HARDWARE_NUMBERS)

    def __str__(self):
        return self.name
