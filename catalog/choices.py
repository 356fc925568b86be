"""Enumerations shared by models, filters, admin and (later) the API."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Confidence(models.TextChoices):
    """How much a fact can be trusted, in Epoch AI's spirit.

    reported: stated by a primary source (datasheet, paper, pricing page).
    derived: computed from reported values (the working goes in ``notes``).
    estimated: a reasoned estimate by a credible third party or by us.
    speculative: a rumour or a leak; shown, but flagged loudly.
    """

    REPORTED = "reported", _("Reported")
    DERIVED = "derived", _("Derived")
    ESTIMATED = "estimated", _("Estimated")
    SPECULATIVE = "speculative", _("Speculative")


class DatePrecision(models.TextChoices):
    """Many release dates are only known to the month or year; say so instead of inventing a day."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class SourceKind(models.TextChoices):
    DATASHEET = "datasheet", _("Datasheet or spec page")
    PAPER = "paper", _("Paper or technical report")
    PRICING = "pricing", _("Pricing page")
    ANNOUNCEMENT = "announcement", _("Official announcement or blog")
    DOCUMENTATION = "documentation", _("Documentation")
    DATABASE = "database", _("Public dataset (e.g. Epoch AI)")
    PRESS = "press", _("Press or analyst report")
    ARCHIVE = "archive", _("Archived page")
    REFERENCE = "reference", _("Encyclopedia or reference work")
    OTHER = "other", _("Other")


class Architecture(models.TextChoices):
    DECODER = "decoder", _("Dense decoder-only transformer")
    ENCODER = "encoder", _("Encoder-only transformer")
    ENCODER_DECODER = "encoder-decoder", _("Encoder-decoder transformer")
    MOE = "moe", _("Mixture-of-experts transformer")
    DIFFUSION = "diffusion", _("Diffusion model")
    HYBRID = "hybrid", _("Hybrid (e.g. transformer + state-space)")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Undisclosed")


class Modality(models.TextChoices):
    TEXT = "text", _("Text")
    CODE = "code", _("Code")
    IMAGE = "image", _("Image generation")
    VISION_LANGUAGE = "vision-language", _("Vision-language")
    MULTIMODAL = "multimodal", _("Multimodal (text, image, audio, video)")
    SPEECH = "speech", _("Speech or audio")
    VIDEO = "video", _("Video generation")
    RECOMMENDATION = "recommendation", _("Search or recommendation")


class Task(models.TextChoices):
    """What a model's API is used for: a price per token compares like with like only within one task."""

    CHAT = "chat", _("Chat or completion")
    EMBEDDING = "embedding", _("Embedding")
    RERANKING = "reranking", _("Reranking")
    IMAGE = "image", _("Image generation")
    AUDIO = "audio", _("Speech or audio")
    VIDEO = "video", _("Video generation")


class Access(models.TextChoices):
    OPEN_WEIGHTS = "open-weights", _("Open weights")
    API = "api", "API"
    HOSTED = "hosted", _("Hosted product only")
    UNRELEASED = "unreleased", _("Unreleased")


class HardwareKind(models.TextChoices):
    GPU = "gpu", "GPU"
    TPU = "tpu", "TPU"
    NPU = "npu", "NPU"
    ASIC = "asic", "ASIC"
    LPU = "lpu", "LPU"
    WAFER_SCALE = "wafer-scale", _("Wafer-scale engine")
    CPU = "cpu", "CPU"


class HardwareUse(models.TextChoices):
    TRAINING = "training", _("Training")
    INFERENCE = "inference", _("Inference")
    BOTH = "both", _("Training and inference")
    GENERAL = "general", _("General purpose")


class MemoryType(models.TextChoices):
    HBM = "hbm", "HBM"
    HBM2 = "hbm2", "HBM2"
    HBM2E = "hbm2e", "HBM2e"
    HBM3 = "hbm3", "HBM3"
    HBM3E = "hbm3e", "HBM3e"
    HBM4 = "hbm4", "HBM4"
    GDDR5 = "gddr5", "GDDR5"
    GDDR6 = "gddr6", "GDDR6"
    GDDR7 = "gddr7", "GDDR7"
    LPDDR4 = "lpddr4", "LPDDR4"
    LPDDR5 = "lpddr5", "LPDDR5"
    LPDDR5X = "lpddr5x", "LPDDR5X"
    DDR4 = "ddr4", "DDR4"
    DDR5 = "ddr5", "DDR5"
    SRAM = "sram", _("On-chip SRAM only")
    OTHER = "other", _("Other")


class Currency(models.TextChoices):
    USD = "USD", _("US dollar")
    KRW = "KRW", _("South Korean won")
    CNY = "CNY", _("Chinese yuan")
    EUR = "EUR", _("Euro")


class CloudPricingKind(models.TextChoices):
    ON_DEMAND = "on-demand", _("On-demand")
    SPOT = "spot", _("Spot / preemptible")
    RESERVED_1Y = "reserved-1y", _("1-year commitment")
    RESERVED_3Y = "reserved-3y", _("3-year commitment")


class RooflineLimit(models.TextChoices):
    """What bounds a phase in the roofline (``catalog.benchmark.roofline.PhaseBound.limited_by``)."""

    COMPUTE = "compute", _("Compute (peak FLOP/s)")
    MEMORY = "memory", _("Memory bandwidth")


class PeakPrecision(models.TextChoices):
    """Whose peak a benchmark estimate used for a chip: the fp32 model's own, or BF16/FP16 as a stand-in."""

    FP32 = "fp32", "FP32"
    BF16 = "bf16", _("BF16/FP16 tensor (no FP32 figure)")


class EvaluationScale(models.TextChoices):
    """What an evaluation's number is: a share of items right, or a rating on an open scale (Elo-like)."""

    PERCENT = "percent", _("Percent of items (0–100)")
    RATING = "rating", _("Rating (Elo-like)")


class MeasuredBy(models.TextChoices):
    """Who ran an evaluation: the model's developer (a model card, a paper) or someone else with their own harness."""

    DEVELOPER = "developer", _("Developer-reported")
    INDEPENDENT = "independent", _("Independent")


class ScoreVariant(models.TextChoices):
    """Which checkpoint of a model row a score is for, where one row covers a pre-trained model and its chat
    tune (Llama 3 70B and Llama 3 70B Instruct share a row). Capability classes count the served checkpoint."""

    AS_RELEASED = "as-released", _("As released (served)")
    INSTRUCT = "instruct", _("Instruction-tuned (chat)")
    BASE = "base", _("Pre-trained base")
