"""The figures' data matches the database: points, fits, steps, escaping. Not their HTML."""

import datetime
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest

from catalog import chart_style, charts, compare_charts, price_charts
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
        (markers,) = [trace for trace in figure.data if trace.mode == "markers"]  # one vendor, one colour
        assert list(markers.y) == [2300, 29000, 275000, 3100000, 10**10, 2 * 10**10, 4 * 10**10]
        assert list(markers.marker.symbol) == ["square"] * 4 + ["circle"] * 3
        assert fits["AI accelerators"].doubling_years == pytest.approx(2.0, rel=0.01)
        fit_names = [trace.name for trace in figure.data if trace.mode == "lines"]
        assert any("AI accelerators: doubling every 2.0 years" in name for name in fit_names)
        assert markers.customdata[-1][1] == "40B"  # a count, never "40G"


def chip(name, **figures):
    defaults = {
        "name": name,
        "vendor": SimpleNamespace(name="Vendor"),
        "release_date": datetime.date(2024, 1, 1),
        "confidence": "reported",
        "transistors": None,
        "process_nm": None,
        "kind": "gpu",
    }
    return SimpleNamespace(**{**defaults, **figures})


def test_vendor_chart_has_one_horizontal_bar_per_chip_largest_on_top_coloured_by_vendor():
    alpha, beta = SimpleNamespace(name="Alpha", slug="alpha"), SimpleNamespace(name="Beta", slug="beta")
    chips = [
        chip("A1", vendor=alpha, bf16_flops=1e15),
        chip("A2", vendor=alpha, bf16_flops=None),
        chip("A3", vendor=alpha, bf16_flops=3e15),
        chip("B1", vendor=beta, bf16_flops=2e15),
    ]
    figure = charts.vendor_comparison(chips, "bf16_flops")
    assert [(trace.name, trace.orientation, list(trace.y), list(trace.x)) for trace in figure.data] == [
        ("Alpha", "h", ["A1", "A3"], [1e15, 3e15]),
        ("Beta", "h", ["B1"], [2e15]),
    ]
    # plotly draws the first category at the bottom: ascending order puts the largest on top
    assert list(figure.layout.yaxis.categoryarray) == ["A1", "B1", "A3"]
    assert figure.data[0].marker.color == chart_style.colour_for(alpha) != figure.data[1].marker.color
    assert figure.layout.xaxis.type != "log"  # a 3x spread reads fine on a linear axis


def test_vendor_chart_goes_logarithmic_with_decade_labels_when_chips_span_decades():
    vendor = SimpleNamespace(name="V", slug="v")
    chips = [chip(f"c{i}", vendor=vendor, bf16_flops=value) for i, value in enumerate([2e13, 4e14, 2e15])]
    figure = charts.vendor_comparison(chips, "bf16_flops")
    assert figure.layout.xaxis.type == "log"
    assert list(figure.layout.xaxis.tickvals) == [1e13, 1e14, 1e15, 1e16]
    assert list(figure.layout.xaxis.ticktext) == ["10T", "100T", "1P", "10P"]
    assert figure.layout.height >= 3 * charts.BAR_HEIGHT_PX


def test_a_vendor_has_the_same_colour_on_every_chart():
    nvidia = SimpleNamespace(name="NVIDIA", slug="nvidia")
    rebellions = SimpleNamespace(name="Rebellions", slug="rebellions")
    chips = [
        chip(
            "H100",
            vendor=nvidia,
            bf16_flops=1e15,
            memory_bandwidth=3e12,
            transistors=8e10,
            bf16_flops_per_watt=1.4e12,
            bf16_flops_per_mm2=1.2e12,
        ),
        chip(
            "ATOM",
            vendor=rebellions,
            bf16_flops=1e14,
            memory_bandwidth=2.5e11,
            transistors=1e10,
            bf16_flops_per_watt=1e12,
            bf16_flops_per_mm2=3e11,
        ),
    ]

    def colour(figure, name):
        trace = next(trace for trace in figure.data if trace.name == name)
        return trace.marker.color if trace.type == "bar" or trace.mode == "markers" else trace.line.color

    nvidia_colours = {
        colour(charts.vendor_comparison(chips, "bf16_flops"), "NVIDIA"),
        colour(charts.ppa(chips), "NVIDIA"),
        colour(charts.moores_law(chips)[0], "NVIDIA"),
        colour(charts.roofline(chips), "H100"),  # one line per chip, in its vendor's colour
    }
    assert nvidia_colours == {chart_style.colour_for(nvidia)}
    assert colour(charts.roofline(chips), "ATOM") == colour(charts.ppa(chips), "Rebellions") != nvidia_colours.pop()
    assert chart_style.colour_for("some-new-vendor") == chart_style.colour_for("Some-New-Vendor")


def test_ppa_leaves_out_chips_missing_a_ratio_and_sizes_markers_by_transistors():
    chips = [
        chip("big", bf16_flops_per_watt=2e12, bf16_flops_per_mm2=1e12, transistors=80 * 10**9),
        chip("small", bf16_flops_per_watt=1e12, bf16_flops_per_mm2=5e11, transistors=20 * 10**9),
        chip("no-area", bf16_flops_per_watt=1e12, bf16_flops_per_mm2=None),
    ]
    (trace,) = charts.ppa(chips).data
    assert list(trace.text) == ["big", "small"]
    assert trace.marker.size[0] > trace.marker.size[1]


def test_ppa_counts_the_chips_left_out_and_why():
    full = {"bf16_flops": 1e15, "tdp_watts": 700.0, "die_area_mm2": 800.0}
    chips = [
        chip("drawn", **full, bf16_flops_per_watt=1e12, bf16_flops_per_mm2=1e12),
        chip("no-area", **{**full, "die_area_mm2": None}, bf16_flops_per_watt=1e12, bf16_flops_per_mm2=None),
        chip(
            "bare",
            bf16_flops=None,
            tdp_watts=None,
            die_area_mm2=None,
            bf16_flops_per_watt=None,
            bf16_flops_per_mm2=None,
        ),
    ]
    assert charts.ppa_coverage(chips) == {
        "drawn": 1,
        "left_out": 2,
        "no_die_area": 2,
        "no_power": 1,
        "no_throughput": 1,
    }


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

    def test_a_model_sold_under_several_api_ids_is_one_line_at_the_cheapest_price_in_force(self):
        lab = make_org("openai")
        gpt4 = make_model("gpt-4", org=lab, name="GPT-4", family="GPT")
        make_price(gpt4, lab, "2023-03-14", "2024-06-01", api_model_id="gpt-4-0314", input_price="30.00")
        make_price(gpt4, lab, "2023-06-13", api_model_id="gpt-4-0613", input_price="20.00")
        make_price(gpt4, lab, "2023-11-06", api_model_id="gpt-4-1106-preview", input_price="10.00")
        make_price(gpt4, lab, "2023-11-06", api_model_id="gpt-4-32k", tier="over-8k", input_price="60.00")
        prices = list(PricePoint.objects.select_related("model", "provider"))
        figure = price_charts.price_history(prices, kind="input", today=datetime.date(2025, 1, 1))
        (line,) = figure.data
        assert line.name == "GPT-4"
        assert list(zip(line.x, line.y, strict=True)) == [
            ("2023-03-14", 30.0),
            ("2023-06-13", 20.0),
            ("2023-11-06", 10.0),
            ("2025-01-01", 10.0),
        ]
        assert line.customdata[2][:2] == ["$10.00", "Openai: gpt-4-1106-preview"]
        assert "per 1M input tokens" in line.hovertemplate
        assert [annotation.text for annotation in figure.layout.annotations] == ["GPT-4"]  # direct label

    def test_the_price_control_picks_input_output_or_blended(self, history):
        davinci = [p for p in history if p.api_model_id == "davinci"]
        today = datetime.date(2024, 1, 1)
        ys = {
            kind: list(price_charts.price_history(davinci, kind=kind, today=today).data[0].y)
            for kind in price_charts.PRICE_KINDS
        }
        assert ys["input"] == [60.0, 20.0, 20.0]
        assert ys["output"] == [4.0, 4.0]  # the output price never changed: one step
        assert ys["blended"] == [pytest.approx((3 * 60 + 4) / 4), 16.0, 16.0]

    def test_a_line_breaks_where_no_offering_is_in_force(self, history):
        small = [p for p in history if p.api_model_id == "small-1"]
        (line,) = price_charts.price_history(small, kind="input", today=datetime.date(2024, 1, 1)).data
        assert list(line.x) == ["2022-01-01", "2023-01-01", "2023-01-01"]
        assert list(line.y) == [0.4, 0.4, None]

    def test_a_family_is_one_line(self, history):
        PricePoint.objects.update()
        FoundationModel.objects.update(family="GPT")
        prices = list(PricePoint.objects.select_related("model", "provider"))
        figure = price_charts.price_history(prices, kind="input", group="family", today=datetime.date(2024, 1, 1))
        (line,) = figure.data
        assert line.name == "GPT"
        assert list(line.y)[:2] == [60.0, 0.4]

    def test_log_price_axis_names_its_decades_in_dollars_covering_the_data(self, history):
        figure = price_charts.price_history(list(history), kind="input", today=datetime.date(2024, 1, 1))
        axis = figure.layout.yaxis
        assert axis.type == "log"
        assert list(axis.tickvals) == [0.1, 1.0, 10.0, 100.0]
        assert list(axis.ticktext) == ["$0.1", "$1", "$10", "$100"]
        values = [y for trace in figure.data for y in trace.y if y is not None]
        low, high = axis.range
        assert 10**low <= min(values) and max(values) <= 10**high

    def test_decade_ticks_add_2_and_5_on_a_narrow_range(self):
        ticks, texts = chart_style.decade_ticks([0.15, 0.6], chart_style.money_label)
        assert ticks == [0.1, 0.2, 0.5, 1.0]
        assert texts == ["$0.1", "$0.2", "$0.5", "$1"]
        assert chart_style.decade_ticks([2e10, 3e11], chart_style.count_label)[1] == ["10B", "100B", "1T"]
        assert chart_style.exponent_label(1e24) == "1e24"

    def test_the_legend_is_capped_and_outside_the_plot(self):
        lab = make_org("lab")
        for index in range(chart_style.MAX_LEGEND_ENTRIES + 2):
            make_price(make_model(f"m{index:02}", org=lab), lab, "2024-01-01", api_model_id=f"m{index}")
        figure = price_charts.price_history(list(PricePoint.objects.select_related("model", "provider")))
        assert sum(trace.showlegend for trace in figure.data) == chart_style.MAX_LEGEND_ENTRIES
        assert figure.layout.legend.x > 1  # right of the plot area, clear of the tick labels

    def test_cheapest_price_changes_exactly_when_periods_start_or_end(self, history):
        steps = price_charts.cheapest_steps(list(history))
        assert [(date.isoformat(), best.api_model_id) for date, best in steps] == [
            ("2021-01-01", "davinci"),
            ("2022-01-01", "small-1"),
            ("2023-01-01", "davinci"),
        ]
        assert steps[1][1].blended_per_mtok == Decimal("1.300000")  # (3 x 0.40 + 4) / 4

    def test_the_cheapest_chat_price_ignores_an_embedding_model(self, history):
        lab = make_org("lab")
        embedder = make_model("embedder", org=lab, task="embedding")
        make_price(embedder, lab, "2021-06-01", api_model_id="embed-1", input_price="0.02")
        figure = price_charts.cheapest_price_figure(
            list(PricePoint.objects.comparable().select_related("model", "provider")), today=datetime.date(2024, 1, 1)
        )
        offers = {row[1] for row in figure.data[0].customdata if row}
        assert offers == {"Openai: davinci", "Openai: small-1"}
        assert min(y for y in figure.data[0].y if y is not None) == pytest.approx(1.3)
        embedding_prices = PricePoint.objects.comparable("embedding")
        assert [price.api_model_id for price in embedding_prices] == ["embed-1"]  # each task compared on its own


@pytest.mark.django_db
def test_model_scale_hover_names_the_training_hardware():
    lab = make_org("lab", country="KR")
    model = make_model("m", org=lab, parameters=10**11, release_date=datetime.date(2023, 1, 1))
    TrainingRun.objects.create(slug="m-run", model=model, hardware=make_hardware("npu"), chip_count=512)
    models = FoundationModel.objects.prefetch_related("organizations", "training_runs__hardware")
    (trace,) = charts.model_scale(models).data
    assert trace.name == "South Korea"  # a country's name, not its ISO code
    assert list(trace.y) == [10**11]
    assert trace.customdata[0][1] == "512 x npu"
    assert trace.customdata[0][2] == "100B"
    assert list(charts.model_scale(models).layout.yaxis.ticktext) == ["100B", "200B", "500B", "1T"]


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


def test_compare_inverts_a_lower_is_better_figure_and_does_not_score_a_neutral_one():
    metrics = [
        compare_charts.Compared("bf16_flops", "BF16", [1e15, 2e15]),
        compare_charts.Compared("launch_price_usd", "Price", [10_000.0, 40_000.0]),  # lower is better
        compare_charts.Compared("tdp_watts", "TDP", [300.0, 700.0]),  # neither: a hotter chip is not a better one
    ]
    figure = compare_charts.relative_bars(["cheap", "fast"], metrics)
    cheap, fast = figure.data
    assert list(cheap.x) == ["BF16", "Price"]
    assert list(cheap.y) == [0.5, 1.0]  # the cheaper chip is best on price
    assert list(fast.y) == [1.0, 0.25]
    assert list(figure.layout.meta["unscored"]) == ["TDP"]


def test_model_sizes_are_drawn_as_shares_of_the_largest_hatched_never_as_a_score():
    models = [
        SimpleNamespace(
            name=name,
            parameters=parameters,
            active_parameters=None,
            training_tokens=None,
            training_compute_flop=None,
            context_length=context,
        )
        for name, parameters, context in (("small", 7e9, 128_000), ("large", 70e9, 8_000))
    ]
    small, _large = compare_charts.model_comparison(models).data
    assert list(small.x) == ["Parameters", "Context length"]
    assert list(small.y) == [pytest.approx(0.1), 1.0]
    assert list(small.marker.pattern.shape) == ["/", ""]  # hatched: no better direction


@pytest.mark.django_db
def test_database_strings_reach_price_figures_escaped():
    evil = make_org("evil", name=XSS)
    model = make_model("evil-lm", org=evil, name=XSS, family=XSS)
    make_price(model, evil, "2024-01-01", api_model_id=XSS)
    prices = list(PricePoint.objects.select_related("model", "provider"))
    for figure in (
        price_charts.price_history(prices),
        price_charts.price_history(prices, group="family"),
        price_charts.cheapest_price_figure(prices),
    ):
        text = json.dumps(charts.figure_json(figure))
        assert "<script>" not in text
        assert "&lt;/script&gt;" in text


def offer(start, end, input_price, output_price):
    """A price period in memory, enough for the price-fall arithmetic."""
    return SimpleNamespace(
        effective_from=datetime.date.fromisoformat(start),
        effective_to=datetime.date.fromisoformat(end) if end else None,
        input_per_mtok=Decimal(input_price),
        output_per_mtok=Decimal(output_price),
        blended_per_mtok=(3 * Decimal(input_price) + Decimal(output_price)) / 4,
    )


class TestPriceFall:
    def test_a_hundredfold_fall_over_two_years_is_ten_times_per_year(self):
        launch = offer("2020-01-01", "2021-01-01", "100", "100")
        cut = offer("2021-01-01", None, "20", "20")
        successor = offer("2022-01-01", None, "1", "1")
        fall = price_charts.price_fall([cut, successor, launch])
        assert (fall.first, fall.lowest) == (launch, successor)
        assert fall.factor == pytest.approx(100)
        assert fall.years == pytest.approx(2, abs=0.01)
        assert fall.factor_per_year == pytest.approx(10, rel=0.01)

    def test_the_price_kind_decides_what_fell(self):
        # Output fell tenfold in a year while input stayed: the output line fell, the input line did not.
        old = offer("2020-01-01", "2021-01-01", "1", "10")
        new = offer("2021-01-01", None, "1", "1")
        assert price_charts.price_fall([old, new], "output").factor_per_year == pytest.approx(10, rel=0.01)
        assert price_charts.price_fall([old, new], "input") is None

    def test_no_fall_when_prices_only_rose_or_one_price_is_known(self):
        assert price_charts.price_fall([offer("2020-01-01", None, "1", "1")]) is None
        rise = [offer("2020-01-01", "2021-01-01", "1", "1"), offer("2021-01-01", None, "2", "2")]
        assert price_charts.price_fall(rise) is None
