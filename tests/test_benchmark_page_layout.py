"""A run's page reads at a glance, and the benchmark charts read sensibly whatever the runs.

The headline figures and the targets come first, the per-configuration tables are folded, the catalog
comparison shows a few chips (one per vendor), every table scrolls in its own box; the runs chart keeps a
time axis of days even for one run; axes label their decades in full; legends sit above the plot; hover
text carries units. Page widths in a real browser are the lead's browser tests.
"""

import datetime
import json
import math
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from catalog.benchmarking import charts as benchmark_charts
from catalog.benchmarking.store import catalog_bounds, headline_chips, model_config, record_run
from catalog.benchmarking.views import PAGE_CHIPS
from catalog.models import BenchmarkResult
from tests.benchmark_reports import benchmark_report
from tests.factories import make_hardware, make_org

DAY = datetime.timedelta(days=1)


def figure_data(html, element_id):
    match = re.search(rf'<script id="{element_id}-data" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no figure {element_id}"
    return json.loads(match.group(1))


def axis_range(figure, axis="xaxis"):
    low, high = figure.layout[axis].range
    return datetime.datetime.fromisoformat(low), datetime.datetime.fromisoformat(high)


# ------------------------------------------------------------------------------------------ runs chart


@pytest.mark.django_db
class TestRunsChart:
    def test_one_run_draws_a_time_axis_of_days_around_it(self):
        record_run(report=benchmark_report(started_at="2026-11-29T05:30:00+00:00"))
        figure = benchmark_charts.runs_over_time(list(BenchmarkResult.objects.best_generation_rates()))
        low, high = axis_range(figure)
        assert high - low >= DAY  # not the few milliseconds plotly picks for a single point
        assert low < datetime.datetime(2026, 11, 29, 5, 30) < high
        assert high - low == benchmark_charts.MIN_TIME_SPAN

    def test_runs_within_a_morning_are_spread_over_days_too(self):
        for minute in (0, 1, 40):
            record_run(report=benchmark_report(started_at=f"2026-11-29T08:{minute:02d}:00+00:00"))
        figure = benchmark_charts.runs_over_time(list(BenchmarkResult.objects.best_generation_rates()))
        low, high = axis_range(figure)
        assert high - low >= DAY
        assert low < datetime.datetime(2026, 11, 29, 8, 0) and datetime.datetime(2026, 11, 29, 8, 40) < high

    def test_runs_weeks_apart_keep_their_own_range(self):
        record_run(report=benchmark_report(started_at="2026-10-01T00:00:00+00:00"))
        record_run(report=benchmark_report(started_at="2026-11-29T00:00:00+00:00"))
        figure = benchmark_charts.runs_over_time(list(BenchmarkResult.objects.best_generation_rates()))
        assert figure.layout.xaxis.range is None

    def test_hover_says_the_rate_with_its_unit_and_the_time_in_utc(self):
        record_run(report=benchmark_report())
        figure = benchmark_charts.runs_over_time(list(BenchmarkResult.objects.best_generation_rates()))
        for trace in figure.data:
            assert "UTC" in trace.hovertemplate and "%{customdata[3]}" in trace.hovertemplate
            assert all(row[3].endswith("tokens/s") for row in trace.customdata)

    def test_the_list_page_hands_the_padded_axis_to_the_browser(self, client):
        record_run(report=benchmark_report())
        html = client.get("/benchmarks/", HTTP_HOST="127.0.0.1").content.decode()
        low, high = (
            datetime.datetime.fromisoformat(end)
            for end in figure_data(html, "benchmark-runs")["layout"]["xaxis"]["range"]
        )
        assert high - low >= DAY


# ---------------------------------------------------------------------------------------------- axes


class TestAxes:
    def test_values_spanning_a_decade_get_a_log_axis_with_a_decade_labelled_in_full(self):
        axis = benchmark_charts.value_axis([2_000, 51_000], "Tokens per second")
        assert axis["type"] == "log" and axis["title"] == "Tokens per second, log scale"
        assert axis["ticktext"] == ["2k", "5k", "10k", "20k", "50k", "100k"]
        assert any(math.log10(tick).is_integer() for tick in axis["tickvals"])
        assert axis["range"] == [math.log10(2_000), math.log10(100_000)]

    def test_wide_ranges_label_decades_only(self):
        axis = benchmark_charts.value_axis([150, 3e8], "Tokens per second")
        assert axis["tickvals"] == [10.0**exponent for exponent in range(2, 10)]

    def test_milliseconds_take_no_si_prefix(self):
        axis = benchmark_charts.value_axis([0.27, 13], "Inter-token latency (ms)", unit_prefixes=False)
        assert axis["ticktext"] == ["0.2", "0.5", "1", "2", "5", "10", "20"]

    def test_a_range_under_a_decade_is_linear_from_zero(self):
        axis = benchmark_charts.value_axis([120, 130], "Best generation tokens/s")
        assert axis["type"] == "linear" and axis["rangemode"] == "tozero"
        assert "log" not in axis["title"]


# ------------------------------------------------------------------------------------- the run's page


@pytest.fixture
def chips(db):
    """Three vendors, one with three chips: the page shows the fastest of each vendor."""
    nvidia, amd, furiosa = make_org("nvidia", name="NVIDIA"), make_org("amd", name="AMD"), make_org("furiosa")
    for n, bandwidth in enumerate((3.35e12, 4.8e12, 8e12)):
        make_hardware(f"nv-{n}", vendor=nvidia, name=f"NV {n}", fp32_flops=6e13, memory_bandwidth=bandwidth)
    make_hardware("mi300x", vendor=amd, name="MI300X", fp32_flops=1.6e14, memory_bandwidth=5.3e12)
    make_hardware("rngd", vendor=furiosa, name="RNGD", bf16_flops=2.56e14, memory_bandwidth=1.5e12)


@pytest.fixture
def run(db):
    return record_run(
        report=benchmark_report(prompts=(16, 64, 128)), command="python manage.py run_benchmark --preset nano --quick"
    )


class TableNesting(HTMLParser):
    """Where each table, details and heading sits: (tag, inside a table-wrap, inside a details) in document order."""

    def __init__(self):
        super().__init__()
        self.stack, self.seen = [], []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag in {"table", "details", "h2"}:
            inside = {name for name, _classes in self.stack} | {
                "table-wrap" for _name, classes in self.stack if "table-wrap" in classes
            }
            self.seen.append((tag, "table-wrap" in inside, "details" in inside, dict(attrs).get("id")))
        if tag not in {"br", "img", "input", "meta", "link", "hr", "col"}:
            self.stack.append((tag, classes))

    def handle_endtag(self, tag):
        while self.stack:
            name, _classes = self.stack.pop()
            if name == tag:
                break


@pytest.mark.django_db
class TestRunPage:
    def page(self, client, run):
        return client.get(reverse("catalog:benchmark-detail", args=[run.pk]), HTTP_HOST="127.0.0.1").content.decode()

    def test_headline_figures_and_targets_come_before_the_charts_and_the_folded_tables(self, client, run):
        html = self.page(client, run)
        glance, targets, charts = (html.index(f'id="{name}-heading"') for name in ("glance", "targets", "charts"))
        assert glance < targets < charts < html.index("<details")
        headline = html[glance:targets]
        best = max(r.generation_tokens_per_s for r in run.results.filter(batch_size=1, prompt_tokens=128))
        assert benchmark_charts.format_figure("tokens_per_s", best) in headline
        assert "200 GFLOP/s" in headline and "20 GB/s" in headline and "Targets met" in headline
        # Only the headline configuration (batch 1, the longest prompt) is open; the other rows are folded.
        assert headline.count("<tr>") == 1 + run.results.filter(batch_size=1, prompt_tokens=128).count()

    def test_every_per_configuration_table_is_folded_and_every_table_scrolls_in_its_own_box(self, client, run, chips):
        nesting = TableNesting()
        nesting.feed(self.page(client, run))
        tables = [(wrapped, folded) for tag, wrapped, folded, _id in nesting.seen if tag == "table"]
        assert tables and all(wrapped for wrapped, _folded in tables)
        folded = {element_id for tag, _w, _f, element_id in nesting.seen if tag == "details"}
        assert {"results", "environment", "skipped", "warnings"} <= folded
        # Two small tables stay open (headline, targets); the results, the bounds and the environment fold.
        assert [folded for _wrapped, folded in tables].count(False) == 2

    def test_the_page_repeats_the_run_with_the_documented_command(self, client, run):
        html = self.page(client, run)
        assert "<code>make benchmark BENCHMARK_ARGS=&#x27;--preset nano --quick&#x27;</code>" in html

    def test_the_catalog_comparison_shows_a_few_chips_at_most_one_per_vendor_while_vendors_last(
        self, client, run, chips
    ):
        bulk = make_org("bulk", name="Bulk")
        for n in range(PAGE_CHIPS + 5):  # one vendor with more chips than the page shows, all faster than the rest
            make_hardware(f"bulk-{n}", vendor=bulk, fp32_flops=1e14, memory_bandwidth=2e13 + n)
        html = self.page(client, run)
        estimates = [name for name in figure_data(html, "catalog")["data"][0]["y"] if name.endswith("(estimate)")]
        assert len(estimates) == PAGE_CHIPS
        assert {"MI300X (estimate)", "NV 2 (estimate)", "RNGD (estimate)"} <= set(estimates)
        assert "NV 1 (estimate)" not in estimates
        assert html.count('href="/hardware/') - html.count('href="/hardware/"') == PAGE_CHIPS
        assert f"{PAGE_CHIPS} of the {PAGE_CHIPS + 5 + 5} catalog accelerators" in html

    def test_charts_keep_their_legend_above_the_plot_and_units_in_their_hover(self, client, run, chips):
        html = self.page(client, run)
        for element_id in ["rates", "roofline", "latency_itl", "latency_ttft", "catalog"]:
            layout = figure_data(html, element_id)["layout"]
            assert layout["legend"]["y"] >= 1 and layout["legend"]["yanchor"] == "bottom", element_id
            for trace in figure_data(html, element_id)["data"]:
                template = trace.get("hovertemplate", "")
                assert trace.get("hoverinfo") == "skip" or re.search(r"ms|tokens/s|FLOP|%\{text\}|customdata", template)
        catalog = figure_data(html, "catalog")["data"]
        assert all(row[2].endswith("tokens/s") for trace in catalog for row in trace["customdata"])


@pytest.mark.django_db
def test_headline_chips_prefer_curated_rows_and_fill_up_with_the_fastest(chips, run):
    hardware = catalog_bounds(run)["hardware"]
    assert [row["slug"] for row in headline_chips(hardware, limit=2)] == ["nv-2", "mi300x"]
    # Fewer vendors than the limit: the next fastest chips fill the rest, fastest first.
    assert [row["slug"] for row in headline_chips(hardware, limit=4)] == ["nv-2", "mi300x", "nv-1", "rngd"]
    outside = [{**row, "curated": row["slug"] == "rngd"} for row in hardware]
    assert headline_chips(outside, limit=1)[0]["slug"] == "rngd"  # a curated row before faster outside ones


@pytest.mark.django_db
def test_machine_roofline_hover_writes_rates_the_site_way(run):
    results = list(run.results.all())
    figure = benchmark_charts.machine_roofline(run, results, model_config(run))
    points = figure.data[3:]
    assert all(row[1].endswith("FLOP/s") for trace in points for row in trace.customdata)


@pytest.mark.django_db
def test_targets_are_written_the_site_way(client, run):
    html = client.get(reverse("catalog:benchmark-detail", args=[run.pk]), HTTP_HOST="127.0.0.1").content.decode()
    targets = html[html.index('id="targets-heading"') : html.index('id="charts-heading"')]
    share, ratio = (benchmark_charts.format_figure(name, value) for name, value in (("share", 0.5), ("ratio", 3)))
    assert f"at least {share}" in targets and f"under {ratio}" in targets
    assert f"{benchmark_charts.format_figure('ratio', 1.5)}</td>" in targets
    assert "x</td>" not in targets and "3.00x" not in targets  # the framework-free core's own "3.00x"


@pytest.mark.django_db
def test_every_log_axis_on_the_run_page_labels_a_power_of_ten(client, run, chips):
    html = client.get(reverse("catalog:benchmark-detail", args=[run.pk]), HTTP_HOST="127.0.0.1").content.decode()
    log_axes = 0
    for element_id in ["rates", "roofline", "latency_itl", "latency_ttft", "catalog"]:
        layout = figure_data(html, element_id)["layout"]
        for name in ("xaxis", "yaxis"):
            axis = layout.get(name, {})
            if axis.get("type") != "log":
                continue
            log_axes += 1
            decades = axis.get("dtick") == 1 or any(math.log10(tick).is_integer() for tick in axis["tickvals"])
            assert decades, f"{element_id} {name}"
    assert log_axes >= 4
