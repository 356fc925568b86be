"""The figures' data matches the database: points, fits, steps, escaping. Not their HTML."""

import datetime
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest

from catalog import charts
from catalog.models import FoundationModel, Hardware, PricePoint, TrainingRun
from tests.factories import make_hardware, make_model, make_org, make_price

XSS = "</script><script>alert(1)</script>"


def test_doubling_time_of_a_synthetic_series_is_recovered():
    points = [(year, 1000 * 2 ** ((year - 1970) / 2.0)) for year in range(1970, 2021, 5)]
    fit = charts.fit_doubling_time(points)
    assert fit.doubling_years == pytest.approx(2.0)
    assert fit.at(1970) == pytest.approx(1000)


@pytest.mark.parametrize("points", [[], [(2000, 10), (2001, 20)], [(2000, 10), (2000, 20), (2000, 30)]])
def test_no_fit_without_enough_spread(points):
    assert charts.fit_doubling_time(points) is None


def test_shrinking_series_has_no_doubling_time():
    assert charts.fit_doubling_time([(2000, 400), (2001, 200), (2002, 100)]) is None


@pytest.mark.django_db
class TestMooresLaw:
    def test_points_are_exactly_the_chips_with_a_count_and_a_date(self):
        vendor = make_org("intel")
        for year, count in [(1971, 2300), (1978, 29000), (1985, 275000), (1993, 3100000)]:
            make_hardware(
                f"cpu-{year}", vendor=vendor, kind="cpu", transistors=count, release_date=datetime.date(year, 6, 1)
            )
        make_hardware("npu-a", vendor=vendor, transistors=10**10, release_date=datetime.date(2020, 1, 1))
        make_hardware("npu-b", vendor=vendor, transistors=2 * 10**10, release_date=datetime.date(2022, 1, 1))
        make_hardware("npu-c", vendor=vendor, transistors=4 * 10**10, release_date=datetime.date(2024, 1, 1))
        make_hardware("no-count", vendor=vendor, release_date=datetime.date(2024, 1, 1))
        make_hardware("no-date", vendor=vendor, transistors=5)

        figure, fits = charts.moores_law(Hardware.objects.select_related("vendor").order_by("release_date"))
        markers = [trace for trace in figure.data if trace.mode == "markers"]
        cpu, accelerators = markers
        assert list(cpu.y) == [2300, 29000, 275000, 3100000]
        assert list(accelerators.y) == [10**10, 2 * 10**10, 4 * 10**10]
        assert fits["AI accelerators"].doubling_years == pytest.approx(2.0, rel=0.01)
        assert "doubling every 2.0 years" in accelerators.name


def chip(name, **figures):
    defaults = {
        "name": name,
        "vendor": SimpleNamespace(name="Vendor"),
        "release_date": datetime.date(2024, 1, 1),
        "confidence": "reported",
        "transistors": None,
        "process_nm": None,
    }
    return SimpleNamespace(**{**defaults, **figures})


def test_vendor_chart_has_one_bar_per_chip_with_the_metric_grouped_by_vendor():
    chips = [
        chip("A1", vendor=SimpleNamespace(name="Alpha"), bf16_flops=1e15),
        chip("A2", vendor=SimpleNamespace(name="Alpha"), bf16_flops=None),
        chip("B1", vendor=SimpleNamespace(name="Beta"), bf16_flops=2e15),
    ]
    figure = charts.vendor_comparison(chips, "bf16_flops")
    assert [(trace.name, list(trace.x), list(trace.y)) for trace in figure.data] == [
        ("Alpha", ["A1"], [1e15]),
        ("Beta", ["B1"], [2e15]),
    ]


def test_ppa_leaves_out_chips_missing_a_ratio_and_sizes_markers_by_transistors():
    chips = [
        chip("big", bf16_flops_per_watt=2e12, bf16_flops_per_mm2=1e12, transistors=80 * 10**9),
        chip("small", bf16_flops_per_watt=1e12, bf16_flops_per_mm2=5e11, transistors=20 * 10**9),
        chip("no-area", bf16_flops_per_watt=1e12, bf16_flops_per_mm2=None),
    ]
    (trace,) = charts.ppa(chips).data
    assert list(trace.text) == ["big", "small"]
    assert trace.marker.size[0] > trace.marker.size[1]


def test_roofline_is_bandwidth_bound_below_the_ridge_and_flat_above():
    gpu = chip("gpu", bf16_flops=1e15, memory_bandwidth=1e12)  # ridge at 1000 FLOP/byte
    (trace,) = charts.roofline([gpu]).data
    line = dict(zip(trace.x, trace.y, strict=True))
    assert line[1.0] == pytest.approx(1e12)
    assert line[1000.0] == pytest.approx(1e15)
    assert max(trace.y) == pytest.approx(1e15)


def test_transformer_workloads_intensity_for_dense_and_mixture_of_experts():
    dense = SimpleNamespace(parameters=70 * 10**9, active_parameters=None)
    prefill, decode = charts.transformer_workloads(dense, prompt_tokens=1000, batch=1)
    assert decode.intensity == pytest.approx(1.0)  # 2 FLOP per weight, 2 bytes per BF16 weight
    assert prefill.intensity == pytest.approx(1000.0)
    moe = SimpleNamespace(parameters=100 * 10**9, active_parameters=10 * 10**9)
    _, moe_decode = charts.transformer_workloads(moe, prompt_tokens=1000, batch=8)
    assert moe_decode.intensity == pytest.approx(0.8)


@pytest.mark.django_db
class TestPrices:
    @pytest.fixture
    def history(self):
        provider = make_org("openai")
        model = make_model("gpt-3", org=provider)
        make_price(model, provider, "2021-01-01", "2022-09-01", api_model_id="davinci", input_price="60.00")
        make_price(model, provider, "2022-09-01", api_model_id="davinci", input_price="20.00")
        cheap = make_model("small", org=provider)
        make_price(cheap, provider, "2022-01-01", "2023-01-01", api_model_id="small-1", input_price="0.40")
        return PricePoint.objects.select_related("model", "provider")

    def test_price_history_steps_hold_from_start_to_end(self, history):
        figure = charts.price_history(
            [p for p in history if p.api_model_id == "davinci"], today=datetime.date(2024, 1, 1)
        )
        inputs = next(trace for trace in figure.data if trace.name.endswith("(input)"))
        assert list(inputs.x) == ["2021-01-01", "2022-09-01", "2022-09-01", "2024-01-01"]
        assert list(inputs.y) == [60.0, 60.0, 20.0, 20.0]
        blended = next(trace for trace in figure.data if trace.name.endswith("(blended)"))
        assert blended.y[-1] == pytest.approx((3 * 20 + 4) / 4)

    def test_cheapest_price_changes_exactly_when_periods_start_or_end(self, history):
        steps, _ = charts.cheapest_over_time(list(history), today=datetime.date(2024, 1, 1))
        assert [(date.isoformat(), best.api_model_id) for date, best in steps] == [
            ("2021-01-01", "davinci"),
            ("2022-01-01", "small-1"),
            ("2022-09-01", "small-1"),
            ("2023-01-01", "davinci"),
        ]
        assert steps[1][1].blended_per_mtok == Decimal("1.300000")  # (3 x 0.40 + 4) / 4


@pytest.mark.django_db
def test_model_scale_hover_names_the_training_hardware():
    lab = make_org("lab", country="KR")
    model = make_model("m", org=lab, parameters=10**11, release_date=datetime.date(2023, 1, 1))
    TrainingRun.objects.create(slug="m-run", model=model, hardware=make_hardware("npu"), chip_count=512)
    models = FoundationModel.objects.prefetch_related("organizations", "training_runs__hardware")
    (trace,) = charts.model_scale(models).data
    assert trace.name == "KR"
    assert list(trace.y) == [10**11]
    assert trace.customdata[0][1] == "512 x npu"


@pytest.mark.django_db
def test_database_strings_reach_figures_escaped():
    evil = make_org("evil", name=XSS)
    make_hardware(
        "evil-chip",
        vendor=evil,
        name=XSS,
        transistors=10,
        release_date=datetime.date(2020, 1, 1),
        bf16_flops=1e15,
        tdp_watts=100.0,
        die_area_mm2=100.0,
        memory_bandwidth=1e12,
    )
    chips = list(Hardware.objects.with_derived_metrics().select_related("vendor"))
    figures = [
        charts.moores_law(chips)[0],
        charts.vendor_comparison(chips, "bf16_flops"),
        charts.ppa(chips),
        charts.roofline(chips),
    ]
    for figure in figures:
        text = json.dumps(charts.figure_json(figure))
        assert "<script>" not in text
        assert "&lt;/script&gt;" in text
