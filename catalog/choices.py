"""Enumerations shared by models, filters, admin and (later) the API."""

from django.db import models


class Confidence(models.TextChoices):
    """How much a fact can be trusted, in Epoch AI's spirit.

    reported: stated by a primary source (datasheet, paper, pricing page).
    derived: computed from reported values (the working goes in ``notes``).
    estimated: a reasoned estimate by a credible third party or by us.
    speculative: a rumour or a leak; shown, but flagged loudly.
    """

    REPORTED = "reported", "Reported"
    DERIVED = "derived", "Derived"
    ESTIMATED = "estimated", "Estimated"
    SPECULATIVE = "speculative", "Speculative"


class DatePrecision(models.TextChoices):
    """Many release dates are only known to the month or year; say so instead of inventing a day."""

    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class SourceKind(models.TextChoices):
    DATASHEET = "datasheet", "Datasheet or spec page"
    PAPER = "paper", "Paper or technical report"
    PRICING = "pricing", "Pricing page"
    ANNOUNCEMENT = "announcement", "Official announcement or blog"
    DOCUMENTATION = "documentation", "Documentation"
    DATABASE = "database", "Public dataset (e.g. Epoch AI)"
    PRESS = "press", "Press or analyst report"
    ARCHIVE = "archive", "Archived page"
    REFERENCE = "reference", "Encyclopedia or reference work"
    OTHER = "other", "Other"


class Architecture(models.TextChoices):
    DECODER = "decoder", "Dense decoder-only transformer"
    ENCODER = "encoder", "Encoder-only transformer"
    ENCODER_DECODER = "encoder-decoder", "Encoder-decoder transformer"
    MOE = "moe", "Mixture-of-experts transformer"
    DIFFUSION = "diffusion", "Diffusion model"
    HYBRID = "hybrid", "Hybrid (e.g. transformer + state-space)"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Undisclosed"


class Modality(models.TextChoices):
    TEXT = "text", "Text"
    CODE = "code", "Code"
    IMAGE = "image", "Image generation"
    VISION_LANGUAGE = "vision-language", "Vision-language"
    MULTIMODAL = "multimodal", "Multimodal (text, image, audio, video)"
    SPEECH = "speech", "Speech or audio"
    VIDEO = "video", "Video generation"
    RECOMMENDATION = "recommendation", "Search or recommendation"


class Access(models.TextChoices):
    OPEN_WEIGHTS = "open-weights", "Open weights"
    API = "api", "API"
    HOSTED = "hosted", "Hosted product only"
    UNRELEASED = "unreleased", "Unreleased"


class HardwareKind(models.TextChoices):
    GPU = "gpu", "GPU"
    TPU = "tpu", "TPU"
    NPU = "npu", "NPU"
    ASIC = "asic", "ASIC"
    LPU = "lpu", "LPU"
    WAFER_SCALE = "wafer-scale", "Wafer-scale engine"
    CPU = "cpu", "CPU"


class HardwareUse(models.TextChoices):
    TRAINING = "training", "Training"
    INFERENCE = "inference", "Inference"
    BOTH = "both", "Training and inference"
    GENERAL = "general", "General purpose"


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
    SRAM = "sram", "On-chip SRAM only"
    OTHER = "other", "Other"


class Currency(models.TextChoices):
    USD = "USD", "US dollar"
    KRW = "KRW", "South Korean won"
    CNY = "CNY", "Chinese yuan"
    EUR = "EUR", "Euro"


class CloudPricingKind(models.TextChoices):
    ON_DEMAND = "on-demand", "On-demand"
    SPOT = "spot", "Spot / preemptible"
    RESERVED_1Y = "reserved-1y", "1-year commitment"
    RESERVED_3Y = "reserved-3y", "3-year commitment"


class RooflineLimit(models.TextChoices):
    """What bounds a phase in the roofline (``catalog.benchmark.roofline.PhaseBound.limited_by``)."""

    COMPUTE = "compute", "Compute (peak FLOP/s)"
    MEMORY = "memory", "Memory bandwidth"


class PeakPrecision(models.TextChoices):
    """Whose peak a benchmark estimate used for a chip: the fp32 model's own, or BF16/FP16 as a stand-in."""

    FP32 = "fp32", "FP32"
    BF16 = "bf16", "BF16/FP16 tensor (no FP32 figure)"
