"""The bundled data is the product: check it as hard as the code.

``loaddata`` validates nothing, so these tests load every fixture and then run ``full_clean()`` on
every object, require a source on every row, and bound each value by what is physically and
commercially plausible for its kind.
"""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command

from catalog.models import (
    Application,
    CloudPrice,
    Concept,
    FoundationModel,
    Hardware,
    Organization,
    PricePoint,
    Source,
    TrainingRun,
)
from catalog.models.base import SourcedFact
from catalog.models.pricing import TOKEN_PRICE_CEILING_USD

TODAY = datetime.date.today()

# Generous ranges of exchange rates (units per USD), only to hold every price to the same USD bounds.
UNITS_PER_USD = {"USD": (1, 1), "EUR": (0.7, 1.2), "CNY": (6, 8), "KRW": (1000, 1600)}


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bundled")]


def test_loading_again_changes_nothing():
    counts = {model: model.objects.count() for model in apps.get_app_config("catalog").get_models()}
    call_command("load_bundled_data", verbosity=0)
    assert {model: model.objects.count() for model in counts} == counts


def test_every_object_passes_full_clean():
    failures = []
    for model in apps.get_app_config("catalog").get_models():
        for obj in model.objects.all():
            try:
                obj.full_clean()
            except ValidationError as error:
                failures.append(f"{model.__name__} {obj}: {error.message_dict}")
    assert failures == []


@pytest.mark.parametrize(
    "model",
    [*[m for m in apps.get_app_config("catalog").get_models() if issubclass(m, SourcedFact)], Concept],
    ids=lambda m: m.__name__,
)
def test_every_row_cites_a_source(model):
    unsourced = list(model.objects.filter(sources__isnull=True).values_list("pk", flat=True))
    assert unsourced == [], (
        f"{model.__name__} rows without a source: {[str(model.objects.get(pk=pk)) for pk in unsourced]}"
    )


@pytest.mark.parametrize(
    ("model", "minimum"),
    [
        (Organization, 40),
        (FoundationModel, 100),
        (Hardware, 45),
        (PricePoint, 120),
        (TrainingRun, 20),
        (Concept, 25),
        (Application, 10),
        (CloudPrice, 10),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_catalog_meets_its_minimum_size(model, minimum):
    assert model.objects.count() >= minimum


# The origin essay's organizations and model families, plus the Korean developers.
ESSAY_FAMILIES = {
    "openai": ["GPT", "DALL", "Codex"],
    "microsoft": ["Turing", "MEB", "MT-NLG"],
    "google": ["BERT", "LaMDA", "Switch", "PaLM", "Gemini"],
    "meta": ["OPT", "Llama"],
    "alibaba": ["M6", "Qwen"],
    "baidu": ["ERNIE"],
    "tencent": ["Hunyuan"],
    "huawei": ["PanGu"],
    "naver": ["HyperCLOVA"],
    "lg-ai-research": ["EXAONE"],
    "kakao-brain": ["KoGPT"],
    "skt": ["A.X"],
    "samsung": ["Gauss"],
    "upstage": ["Solar"],
}


@pytest.mark.parametrize(("org", "families"), ESSAY_FAMILIES.items())
def test_essay_model_families_are_covered(org, families):
    names = list(FoundationModel.objects.filter(organizations__slug=org).values_list("name", flat=True))
    missing = [family for family in families if not any(family.lower() in name.lower() for name in names)]
    assert missing == [], f"{org} lacks {missing}; has {names}"


REQUIRED_HARDWARE = [
    "nvidia-p100-sxm2",
    "nvidia-v100-sxm2-32gb",
    "nvidia-t4",
    "nvidia-a100-sxm4-80gb",
    "nvidia-l4",
    "nvidia-l40s",
    "nvidia-h100-sxm",
    "nvidia-h200-sxm",
    "nvidia-b200",
    "nvidia-gb200",
    "nvidia-b300",
    "google-tpu-v1",
    "google-tpu-v2",
    "google-tpu-v3",
    "google-tpu-v4",
    "google-tpu-v5e",
    "google-tpu-v5p",
    "google-tpu-v6e",
    "google-tpu-v7",
    "amd-mi250x",
    "amd-mi300x",
    "amd-mi325x",
    "amd-mi355x",
    "intel-gaudi2",
    "intel-gaudi3",
    "aws-trainium1",
    "aws-trainium2",
    "aws-trainium3",
    "aws-inferentia1",
    "aws-inferentia2",
    "huawei-ascend-910",
    "huawei-ascend-910b",
    "huawei-ascend-910c",
    "cerebras-wse-2",
    "cerebras-wse-3",
    "groq-lpu",
    "furiosa-warboy",
    "furiosa-rngd",
    "rebellions-atom",
    "rebellions-rebel-quad",
    "sapeon-x220",
    "sapeon-x330",
]


def test_required_hardware_is_present():
    present = set(Hardware.objects.values_list("slug", flat=True))
    assert sorted(set(REQUIRED_HARDWARE) - present) == []


def test_named_cloud_providers_are_present_and_the_big_three_publish_prices():
    providers = set(Organization.objects.filter(is_cloud_provider=True).values_list("slug", flat=True))
    assert {"aws", "microsoft", "google", "kakao-enterprise", "naver-cloud"} <= providers
    priced = set(CloudPrice.objects.values_list("provider__slug", flat=True))
    assert {"aws", "microsoft", "google"} <= priced


def test_at_least_ten_models_carry_a_dated_price_change():
    periods = defaultdict(list)
    for price in PricePoint.objects.order_by("effective_from"):
        periods[(price.provider_id, price.api_model_id, price.context_tier)].append(price)
    changed_models = {
        history[0].model_id
        for history in periods.values()
        if len(history) > 1
        and len({(p.input_per_mtok, p.output_per_mtok, p.cached_input_per_mtok) for p in history}) > 1
    }
    assert len(changed_models) >= 10


def test_only_the_latest_period_of_an_offering_is_open_ended():
    open_ended = Counter(
        PricePoint.objects.filter(effective_to__isnull=True).values_list("provider", "api_model_id", "context_tier")
    )
    assert [offering for offering, count in open_ended.items() if count > 1] == []


def test_no_date_lies_in_the_future():
    future = [
        *(f"hardware {h}" for h in Hardware.objects.filter(release_date__gt=TODAY)),
        *(f"model {m}" for m in FoundationModel.objects.filter(release_date__gt=TODAY)),
        *(f"application {a}" for a in Application.objects.filter(launched__gt=TODAY)),
        *(f"price {p}" for p in PricePoint.objects.filter(effective_from__gt=TODAY)),
        *(f"cloud price {p}" for p in CloudPrice.objects.filter(effective_from__gt=TODAY)),
        *(f"source {s}" for s in Source.objects.filter(retrieved_on__gt=TODAY)),
        *(f"source {s}" for s in Source.objects.filter(published_on__gt=TODAY)),
    ]
    assert future == []


def out_of_bounds(rows, bounds):
    """``bounds``: field -> (low, high). Returns 'row field=value' for every value outside its range."""
    problems = []
    for row in rows:
        for field, (low, high) in bounds.items():
            value = getattr(row, field)
            if value is not None and not low <= value <= high:
                problems.append(f"{row.slug} {field}={value:g}")
    return problems


PACKAGE_KINDS = ["gpu", "tpu", "npu", "asic"]


def test_accelerator_packages_have_plausible_specs():
    # One GPU/TPU/NPU package: at most 1e16 dense BF16 FLOP/s and 2e13 byte/s from off-chip memory.
    problems = out_of_bounds(
        Hardware.objects.filter(kind__in=PACKAGE_KINDS),
        {
            "bf16_flops": (1e11, 1e16),
            "fp8_flops": (1e12, 2e16),
            "int8_ops": (1e12, 2e16),
            "fp4_flops": (1e13, 4e16),
            "fp32_flops": (1e10, 5e15),
            "fp64_flops": (1e9, 2e14),
            "memory_bandwidth": (1e10, 2e13),
            "memory_bytes": (1e8, 1e12),
            "die_area_mm2": (10, 3000),
            "transistors": (1e8, 1e12),
            "process_nm": (1, 100),
        },
    )
    assert problems == []


def test_wafer_scale_and_sram_only_parts_are_bounded_on_their_own_terms():
    special = Hardware.objects.filter(kind__in=["wafer-scale", "lpu"])
    assert special.exists()
    problems = out_of_bounds(
        special,
        {
            "bf16_flops": (1e14, 1e18),
            "die_area_mm2": (100, 50_000),
            "transistors": (1e9, 1e13),
            "sram_bytes": (1e7, 1e11),
        },
    )
    # Their working memory is on-chip SRAM; off-chip bandwidth, when given, is ordinary DRAM's.
    problems += [f"{h.slug} has no sram_bytes" for h in special if not h.sram_bytes]
    assert problems == []


def test_every_tdp_is_between_1_and_30000_watts():
    assert out_of_bounds(Hardware.objects.all(), {"tdp_watts": (1, 30_000)}) == []


def test_throughput_ladder_is_monotonic_where_known():
    # Lower precision never runs slower than higher precision on the same tensor units.
    problems = []
    for chip in Hardware.objects.exclude(kind="cpu"):
        ladder = [v for v in (chip.bf16_flops, chip.fp8_flops, chip.fp4_flops) if v is not None]
        if ladder != sorted(ladder):
            problems.append(f"{chip.slug}: bf16/fp8/fp4 = {ladder}")
    assert problems == []


def test_token_prices_are_below_1000_usd_per_million():
    problems = []
    for price in PricePoint.objects.all():
        ceiling = TOKEN_PRICE_CEILING_USD * UNITS_PER_USD[price.currency][1]
        for field in ("input_per_mtok", "output_per_mtok", "cached_input_per_mtok"):
            value = getattr(price, field)
            if value is not None and value > ceiling:
                problems.append(f"{price} {field}={value} {price.currency}")
    assert problems == []


def test_cached_input_never_costs_more_than_input():
    dearer = [
        str(p)
        for p in PricePoint.objects.all()
        if p.cached_input_per_mtok and p.cached_input_per_mtok > p.input_per_mtok
    ]
    assert dearer == []


def test_cloud_prices_per_accelerator_hour_are_plausible():
    # From a T4 slice to the dearest superchip: 0.05 to 100 USD per accelerator-hour.
    problems = []
    for price in CloudPrice.objects.all():
        low, high = UNITS_PER_USD[price.currency]
        if not Decimal("0.05") * Decimal(low) <= price.price_per_accelerator_hour <= Decimal(100 * high):
            problems.append(f"{price}: {price.price_per_accelerator_hour} {price.currency} per accelerator-hour")
    assert problems == []


def test_models_have_plausible_sizes():
    problems = out_of_bounds(
        FoundationModel.objects.all(),
        {
            "parameters": (1e5, 2e13),
            "training_tokens": (1e6, 1e14),
            "training_compute_flop": (1e15, 1e27),
            "context_length": (64, 1e8),
        },
    )
    assert problems == []


def test_training_compute_agrees_with_six_n_d_where_all_three_are_known():
    # C ≈ 6·N·D (N: parameters active per token). A factor of 5 either way is a typo, not a method.
    problems = []
    for m in FoundationModel.objects.filter(training_compute_flop__isnull=False, training_tokens__isnull=False):
        active = m.active_parameters or m.parameters
        if active:
            ratio = m.training_compute_flop / (6 * active * m.training_tokens)
            if not 0.2 <= ratio <= 5:
                problems.append(f"{m.slug}: C/(6ND) = {ratio:.2f}")
    assert problems == []


def test_training_runs_never_exceed_their_chips_peak():
    # Reported compute / (chips x seconds x peak FLOP/s) is the implied utilization; above 1 is impossible.
    problems = []
    for run in TrainingRun.objects.select_related("hardware").exclude(hardware=None):
        implied = run.implied_utilization
        if implied is not None and implied > 1:
            problems.append(f"{run.slug}: implied utilization {implied:.2f}")
    assert problems == []
