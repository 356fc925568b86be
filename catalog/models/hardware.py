from dataclasses import dataclass

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import NullIf

from catalog.choices import DatePrecision, HardwareKind, HardwareUse, MemoryType
from catalog.models.base import NON_NEGATIVE, SlugManager, SlugNaturalKeyMixin, SourcedFact, non_negative_constraints

# SI units, like Epoch AI's hardware table, so its rows import without conversion.
THROUGHPUT_FIELDS = ["fp64_flops", "fp32_flops", "tf32_flops", "bf16_flops", "fp8_flops", "int8_ops", "fp4_flops"]
HARDWARE_NUMBERS = [
    *THROUGHPUT_FIELDS,
    "process_nm",
    "transistors",
    "die_area_mm2",
    "tdp_watts",
    "memory_bytes",
    "memory_bandwidth",
    "sram_bytes",
    "interconnect_bandwidth",
    "launch_price_usd",
]


@dataclass(frozen=True)
class DerivedMetric:
    """A ratio of two stored figures. NULL when either is unknown or the divisor is zero."""

    label: str
    unit: str
    numerator: str
    denominator: str
    description: str

    def expression(self):
        # Both operands are float columns, so no database does integer division here.
        return F(self.numerator) / NullIf(F(self.denominator), Value(0.0))


# The one definition of the hardware ratios: the API, the comparisons and the charts all read these.
# Throughput is dense BF16/FP16 tensor FLOP/s, the precision training and most serving run at.
DERIVED_METRICS = {
    "bf16_flops_per_watt": DerivedMetric(
        "Energy efficiency", "FLOP/s per W", "bf16_flops", "tdp_watts", "Dense BF16 FLOP/s per watt of TDP."
    ),
    "bf16_flops_per_mm2": DerivedMetric(
        "Compute density", "FLOP/s per mm²", "bf16_flops", "die_area_mm2", "Dense BF16 FLOP/s per mm² of die."
    ),
    "bytes_per_flop": DerivedMetric(
        "Memory bandwidth per FLOP",
        "byte per FLOP",
        "memory_bandwidth",
        "bf16_flops",
        "Off-chip memory bandwidth divided by dense BF16 FLOP/s.",
    ),
    "ridge_point": DerivedMetric(
        "Roofline ridge point",
        "FLOP per byte",
        "bf16_flops",
        "memory_bandwidth",
        "Arithmetic intensity above which a kernel is compute-bound rather than memory-bound.",
    ),
}


class HardwareQuerySet(models.QuerySet):
    def with_derived_metrics(self):
        return self.annotate(**{name: metric.expression() for name, metric in DERIVED_METRICS.items()})

    def accelerators(self):
        """Everything but the landmark CPUs kept for the Moore's-law series."""
        return self.exclude(kind=HardwareKind.CPU)


class HardwareManager(SlugManager.from_queryset(HardwareQuerySet)):
    pass


def throughput_field(label):
    return models.FloatField(
        f"{label} dense peak (FLOP/s)" if "INT" not in label else f"{label} dense peak (OP/s)",
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text="Dense (no structured sparsity), per package, at the boost clock.",
    )


class Hardware(SlugNaturalKeyMixin, SourcedFact):
    """One accelerator package (or a landmark CPU, for the Moore's-law series).

    Variants that differ in memory or form factor (V100 SXM2 16 GB vs PCIe) are separate rows sharing a
    ``family``; figures are per package as sold (a GB200 superchip counts its two B200 dies).
    """

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=150)
    family = models.CharField(max_length=80, blank=True, help_text="e.g. H100, TPU v5, Gaudi.")
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text="Other names for this row in outside data (Epoch AI, LiteLLM ids): importers match on them.",
    )
    form_factor = models.CharField(max_length=40, blank=True, help_text="SXM, PCIe, OAM, superchip, card...")
    vendor = models.ForeignKey("catalog.Organization", on_delete=models.PROTECT, related_name="hardware")
    foundry = models.ForeignKey(
        "catalog.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="fabricated_hardware"
    )
    kind = models.CharField(max_length=12, choices=HardwareKind.choices)
    use = models.CharField(max_length=10, choices=HardwareUse.choices, default=HardwareUse.BOTH)
    release_date = models.DateField(null=True, blank=True)
    release_date_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    process_nm = models.FloatField("process node (nm)", null=True, blank=True, validators=NON_NEGATIVE)
    transistors = models.BigIntegerField(null=True, blank=True, validators=NON_NEGATIVE)
    die_area_mm2 = models.FloatField("die area (mm²)", null=True, blank=True, validators=NON_NEGATIVE)
    tdp_watts = models.FloatField("TDP (W)", null=True, blank=True, validators=NON_NEGATIVE)
    fp64_flops = throughput_field("FP64")
    fp32_flops = throughput_field("FP32")
    tf32_flops = throughput_field("TF32")
    bf16_flops = throughput_field("BF16/FP16 tensor")
    fp8_flops = throughput_field("FP8")
    int8_ops = throughput_field("INT8")
    fp4_flops = throughput_field("FP4")
    memory_bytes = models.BigIntegerField("memory (bytes)", null=True, blank=True, validators=NON_NEGATIVE)
    memory_type = models.CharField(max_length=10, choices=MemoryType.choices, blank=True)
    memory_bandwidth = models.FloatField(
        "memory bandwidth (byte/s)", null=True, blank=True, validators=NON_NEGATIVE, help_text="Off-chip memory."
    )
    sram_bytes = models.BigIntegerField("on-chip SRAM (bytes)", null=True, blank=True, validators=NON_NEGATIVE)
    interconnect_bandwidth = models.FloatField(
        "interconnect bandwidth (byte/s)",
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text="Chip-to-chip, total of all links (NVLink, ICI, Infinity Fabric...).",
    )
    launch_price_usd = models.DecimalField(
        "launch price (USD)", max_digits=12, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    description = models.TextField(blank=True)
    website = models.URLField(max_length=300, blank=True)

    objects = HardwareManager()

    class Meta:
        ordering = ["vendor__name", "release_date", "name"]
        verbose_name_plural = "hardware"
        constraints = non_negative_constraints("hardware", HARDWARE_NUMBERS)

    def __str__(self):
        return self.name
