"""Benchmark runs in the API: measurements as stored, and the catalog's chips as labelled roofline estimates.

The report's nested objects are stored as JSON; each gets a field with its documented shape (the one in
``catalog.benchmark``'s docstring), so the OpenAPI schema describes what clients actually receive.

A run's detail also carries what ``store`` works out from it (roofline bounds on the catalog's chips,
target verdicts): the viewset computes them and hands them over in the serializer's context, so these
serializers only shape data and run no query.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.api.fast_read import FastReadMixin
from catalog.api.fields import LinkField
from catalog.benchmark.os_name import public_os
from catalog.benchmarking import validation as contract
from catalog.choices import PeakPrecision, RooflineLimit
from catalog.models import BenchmarkResult, BenchmarkRun

NUMBER = {"type": "number"}
INTEGER = {"type": "integer"}
STRING = {"type": "string"}
NULLABLE_STRING = {"type": "string", "nullable": True}


def object_schema(properties, description="", **extra):
    schema = {"type": "object", "properties": properties, "required": list(properties), **extra}
    return {**schema, "description": description} if description else schema


def array_schema(items, description=""):
    return {"type": "array", "items": items, **({"description": description} if description else {})}


# The shapes below are the contract's own key lists (``catalog.benchmarking.validation``, which ``record_run``
# enforces), turned into JSON Schema, so the API documents exactly what can be stored; only the
# descriptions are added here.
CONTRACT_TYPES = {
    contract.NUMBER: NUMBER,
    contract.SIGNED_NUMBER: NUMBER,
    contract.INTEGER: INTEGER,
    contract.STRING: STRING,
    contract.OPTIONAL_STRING: NULLABLE_STRING,
    contract.BOOLEAN: {"type": "boolean"},
}


def contract_schema(keys, description="", *, notes=None, nested=None, **extra):
    """An object schema from a contract key list; ``nested`` gives the schemas of lists and objects."""
    notes, nested = notes or {}, nested or {}
    properties = {}
    for name, kind in keys.items():
        schema = nested[name] if name in nested else CONTRACT_TYPES[kind]
        properties[name] = {**schema, "description": notes[name]} if name in notes else schema
    return object_schema(properties, description, **extra)


MODEL_SCHEMA = contract_schema(
    contract.MODEL_KEYS,
    "The benchmark model: its shape, weight seed, size and the SHA-256 of its fp32 weights.",
)
MACHINE_SCHEMA = contract_schema(
    contract.MACHINE_KEYS,
    "The machine the run measured, its library versions and its measured limits.",
    notes={
        "gpu": "Empty when there is none.",
        "onnxruntime": "Version; null when not installed.",
        "torch": "Version; null when not installed.",
        "matmul_peak_flops": "Measured fp32 matmul FLOP/s.",
        "memory_bandwidth": "Measured byte/s: the best STREAM kernel.",
    },
    nested={
        "matmul": contract_schema(contract.MATMUL_KEYS, nested={"samples_s": array_schema(NUMBER)}),
        "stream": contract_schema(
            contract.STREAM_KEYS,
            "STREAM kernels in byte/s (a runner may add more, e.g. read), and the size of each array.",
        ),
    },
)
HARNESS_SCHEMA = contract_schema(
    contract.HARNESS_KEYS,
    "What the timing harness itself costs per generated token; null when not measured.",
    notes={
        "fraction": "Extra time over the bare loop; below zero within noise.",
        "bookkeeping_s_per_token": "The same loops around instant calls: the harness's own cost per token, noise-free.",
        "bookkeeping_fraction": "bookkeeping_s_per_token over the bare time per token.",
    },
    nullable=True,
)
SKIPPED_SCHEMA = array_schema(contract_schema(contract.SKIPPED_KEYS), "Backends not run, with the reason.")
WARNINGS_SCHEMA = array_schema(STRING)
SAMPLES_SCHEMA = object_schema(
    {
        "ttft_s": array_schema(NUMBER, "Time to first token of each repetition (s)."),
        "decode_s": array_schema(NUMBER, "Decode time of each repetition (s)."),
        "itl_s": array_schema(array_schema(NUMBER), "Inter-token latencies (s), one list per repetition."),
    },
    "Every raw sample the medians were taken from.",
)


def json_field(name, schema):
    """A read-only JSON field that passes the stored value through, documented with ``schema``."""
    return extend_schema_field(schema)(type(name, (serializers.JSONField,), {}))


ModelShapeField = json_field("ModelShapeField", MODEL_SCHEMA)


@extend_schema_field(MACHINE_SCHEMA)
class MachineField(serializers.JSONField):
    """The machine as stored, its OS reduced to system and architecture (runs stored before that was done
    at recording time still hold the kernel build)."""

    def to_representation(self, value):
        return {**value, "os": public_os(value.get("os"))} if isinstance(value, dict) else value


HarnessOverheadField = json_field("HarnessOverheadField", HARNESS_SCHEMA)
SkippedField = json_field("SkippedField", SKIPPED_SCHEMA)
WarningsField = json_field("WarningsField", WARNINGS_SCHEMA)
SamplesField = json_field("SamplesField", SAMPLES_SCHEMA)

RESULT_FIELDS = [*contract.RESULT_COLUMNS, "warnings"]  # every stored column, in the contract's order


class BenchmarkResultSerializer(FastReadMixin, serializers.ModelSerializer):
    """One configuration: medians over the repetitions (seconds, per second, bytes, FLOP), no raw samples."""

    warnings = WarningsField(read_only=True)

    class Meta:
        model = BenchmarkResult
        fields = RESULT_FIELDS
        read_only_fields = RESULT_FIELDS


class BenchmarkResultDetailSerializer(BenchmarkResultSerializer):
    samples = SamplesField(read_only=True)

    class Meta(BenchmarkResultSerializer.Meta):
        fields = [*RESULT_FIELDS, "samples"]


class BenchmarkRunSerializer(FastReadMixin, serializers.ModelSerializer):
    url = LinkField("api:benchmarkrun-detail", lookup="pk")
    model = ModelShapeField(read_only=True)
    machine = MachineField(read_only=True)
    harness_overhead = HarnessOverheadField(read_only=True, allow_null=True)
    skipped = SkippedField(read_only=True)
    warnings = WarningsField(read_only=True)
    results = BenchmarkResultSerializer(many=True, read_only=True)

    class Meta:
        model = BenchmarkRun
        fields = [
            "url",
            "id",
            "started_at",
            "duration_s",
            "quick",
            "threads",
            "preset",
            "parameters",
            "weights_checksum",
            "cpu_model",
            "matmul_peak_flops",
            "memory_bandwidth",
            "model",
            "machine",
            "harness_overhead",
            "skipped",
            "warnings",
            "command",
            "created_at",
            "results",
        ]
        read_only_fields = fields


# ------------------------------------------------------------------------- catalog chips, as estimates


class RooflineBoundSerializer(serializers.Serializer):
    precision = serializers.ChoiceField(
        choices=PeakPrecision.choices,
        help_text=_("Whose peak was used: FP32, or BF16/FP16 where no FP32 peak is known."),
    )
    assumption = serializers.CharField(allow_blank=True, help_text=_("What was assumed to get a bound; empty if none."))
    peak_flops = serializers.FloatField(help_text=_("Peak FLOP/s used."))
    memory_bandwidth = serializers.FloatField(help_text=_("Memory bandwidth used, byte/s."))
    prefill_tokens_per_s = serializers.FloatField(help_text=_("Upper bound on prompt tokens per second."))
    prefill_limited_by = serializers.ChoiceField(choices=RooflineLimit.choices)
    decode_tokens_per_s = serializers.FloatField(help_text=_("Upper bound on generated tokens per second."))
    decode_limited_by = serializers.ChoiceField(choices=RooflineLimit.choices)


class ChipEstimateSerializer(RooflineBoundSerializer):
    slug = serializers.CharField(help_text=_("The hardware row, at /api/v1/hardware/<slug>/."))
    name = serializers.CharField()
    vendor = serializers.CharField(help_text=_("The vendor's name."))


class MeasuredRateSerializer(serializers.Serializer):
    backend = serializers.CharField()
    device = serializers.CharField()
    prefill_tokens_per_s = serializers.FloatField()
    generation_tokens_per_s = serializers.FloatField()


CHIP_PAGE_DEFAULT, CHIP_PAGE_MAX = 50, 500  # a run's answer lists this many chips, whatever the catalog's size


class ChipPageSerializer(serializers.Serializer):
    """A run detail's query: which page of the catalog's chips to bound (fastest decode first)."""

    chip_limit = serializers.IntegerField(
        min_value=1,
        max_value=CHIP_PAGE_MAX,
        default=CHIP_PAGE_DEFAULT,
        help_text=_("How many catalog chips to list in catalog_estimates.hardware, fastest first (at most 500)."),
    )
    chip_offset = serializers.IntegerField(
        min_value=0, default=0, help_text=_("How many of the fastest chips to skip (catalog_estimates.next does it).")
    )


class CatalogEstimatesSerializer(serializers.Serializer):
    note = serializers.CharField(help_text=_("These are roofline upper bounds from datasheet peaks, not measurements."))
    prompt_tokens = serializers.IntegerField()
    generated_tokens = serializers.IntegerField()
    batch_size = serializers.IntegerField()
    this_machine = RooflineBoundSerializer(help_text=_("This machine's bound, from its measured peaks."))
    measured = MeasuredRateSerializer(many=True, help_text=_("What this machine measured at these lengths."))
    hardware = ChipEstimateSerializer(
        many=True,
        help_text=_("The catalog accelerators with the figures needed, fastest decode first: chip_limit of them."),
    )
    hardware_count = serializers.IntegerField(help_text=_("How many catalog accelerators have the figures needed."))
    next = serializers.URLField(allow_null=True, help_text=_("The next page of chips; null on the last."))


TARGET_UNITS = ["fraction", "ratio"]  # ``catalog.benchmark.targets.TargetCheck.unit``


class TargetCheckSerializer(serializers.Serializer):
    """One of the benchmark's performance targets and this run's verdict on it."""

    # ``catalog.benchmark.targets.TargetCheck``, field for field.

    target = serializers.CharField(help_text=_("The target, as the benchmark names it (in English)."))
    measured = serializers.FloatField(
        allow_null=True, help_text=_("This run's value; null when it was not measured (a backend missing).")
    )
    limit = serializers.FloatField(help_text=_("The value the target sets."))
    at_least = serializers.BooleanField(help_text=_("True: the value must reach the limit; false: stay under it."))
    met = serializers.BooleanField(
        allow_null=True, help_text=_("Whether this run meets the target; null when it could not be judged.")
    )
    unit = serializers.ChoiceField(
        choices=TARGET_UNITS,
        help_text=_("How to read measured and limit: a fraction (shown as a percentage) or a ratio."),
    )


class BenchmarkRunDetailSerializer(BenchmarkRunSerializer):
    """A run with every raw sample, the same model's roofline bounds on the catalog's chips (estimates), and its
    verdict on each performance target."""

    # The view works out the bounds and verdicts (``store.catalog_bounds``, ``store.target_checks``) and hands
    # them over in the context as ``catalog_estimates`` and ``targets``.
    results = BenchmarkResultDetailSerializer(many=True, read_only=True)
    catalog_estimates = serializers.SerializerMethodField(
        help_text=_("Roofline upper bounds for this model on the catalog's chips, from datasheet peaks: estimates.")
    )
    targets = serializers.SerializerMethodField(
        help_text=_("The benchmark's performance targets, judged at batch 1 on the longest prompt run.")
    )

    class Meta(BenchmarkRunSerializer.Meta):
        fields = [*BenchmarkRunSerializer.Meta.fields, "catalog_estimates", "targets"]
        read_only_fields = fields

    @extend_schema_field(CatalogEstimatesSerializer)
    def get_catalog_estimates(self, run):
        return CatalogEstimatesSerializer(self.context["catalog_estimates"]).data

    @extend_schema_field(TargetCheckSerializer(many=True))
    def get_targets(self, run):
        return TargetCheckSerializer(self.context["targets"], many=True).data
