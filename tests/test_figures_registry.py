"""One registry of figures: every table, detail page, comparison and CSV header reads ``catalog.figures``."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils.functional import Promise

from catalog.comparisons import COMPARED_FIELDS, MODEL_COMPARED_FIELDS, compare_hardware, compare_models
from catalog.figures import DERIVED_METRICS, FIGURES, HARDWARE_FIGURES, HIGHER, LOWER, csv_header
from catalog.models import Hardware, PriceCheck, TrainingRun
from catalog.models.foundation_models import MODEL_FACTS
from tests.api_helpers import csv_rows
from tests.factories import make_hardware, make_model, make_org, make_price, make_source

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "catalog"
TABLE_TEMPLATES = ["hardware_list", "model_list", "price_list", "model_detail", "hardware_detail", "compare"]
KINDS = {"si", "count", "money", "price", "date", "duration", "scientific", "plain", "percent", "choice"}


# ------------------------------------------------------------------------------------------ the registry


def test_every_figure_the_tables_compare_and_detail_pages_show_is_registered():
    shown = set(HARDWARE_FIGURES) | set(DERIVED_METRICS) | set(COMPARED_FIELDS) | set(MODEL_COMPARED_FIELDS)
    shown |= {field for field, _unit in MODEL_FACTS}
    for name in TABLE_TEMPLATES:
        source = (TEMPLATES / f"{name}.html").read_text()
        shown |= set(re.findall(r'\|figure:"(\w+)"', source))
        shown |= {
            field for field in re.findall(r'sortable_header "(\w+)"', source) if field not in ("name", "api_model_id")
        }
    assert shown - set(FIGURES) == set()
    assert {"bf16_flops", "memory_bytes", "parameters", "context_length", "input_per_mtok"} <= shown


def test_the_tables_format_numbers_through_the_registry_not_ad_hoc_filters():
    for name in ["hardware_list", "model_list", "price_list", "model_detail", "hardware_detail", "compare"]:
        source = (TEMPLATES / f"{name}.html").read_text()
        assert "|si:" not in source and "floatformat" not in source, name


def test_each_figure_says_how_to_format_it_and_which_way_is_better():
    for name, figure in FIGURES.items():
        assert figure.name == name
        assert figure.kind in KINDS, name
        assert figure.better in (HIGHER, LOWER, None), name
        assert isinstance(figure.label, Promise), f"{name}: labels are translatable"


def test_figures_that_are_not_better_either_way_say_so():
    for name in ("tdp_watts", "die_area_mm2", "transistors", "bytes_per_flop"):
        assert FIGURES[name].better is None, name
    assert FIGURES["bf16_flops"].better == HIGHER and FIGURES["memory_bytes"].better == HIGHER
    assert FIGURES["input_per_mtok"].better == LOWER


def test_derived_metrics_are_ratios_of_registered_figures():
    for metric in DERIVED_METRICS.values():
        assert metric.derived
        assert metric.numerator in FIGURES and metric.denominator in FIGURES


# ----------------------------------------------------------------------------------------------- CSV


def test_csv_headers_carry_the_unit_unless_the_name_says_it(client):
    make_hardware("full-chip", bf16_flops=1e15, memory_bytes=8e10, die_area_mm2=800)
    header = next(iter(csv_rows(client.get("/api/v1/hardware/", {"format": "csv"}))))
    assert "bf16_flops (FLOP/s)" in header
    assert "memory_bandwidth (byte/s)" in header
    assert "ridge_point (FLOP per byte)" in header
    assert "memory_bytes" in header and "process_nm" in header and "die_area_mm2" in header
    assert "slug" in header and "release_date" in header


def test_csv_values_stay_machine_readable(client):
    make_hardware("full-chip", bf16_flops=989.4e12)
    row = csv_rows(client.get("/api/v1/hardware/", {"format": "csv"}))[0]
    assert float(row["bf16_flops (FLOP/s)"]) == pytest.approx(989.4e12)


def test_price_csv_names_the_price_unit(client):
    model, provider = make_model("priced"), make_org("cloud")
    make_price(model, provider, "2024-01-01")
    row = csv_rows(client.get("/api/v1/prices/", {"format": "csv"}))[0]
    assert row["input_per_mtok (USD per 1M tokens)"] == "1.000000"
    assert csv_header("slug") == "slug"


# ------------------------------------------------------------------------------------------- compare


def test_compare_marks_the_best_value_in_each_direction_and_none_where_neither_is_better():
    make_hardware("fast", bf16_flops=2e15, tdp_watts=1000)
    make_hardware("slow", bf16_flops=1e15, tdp_watts=300)
    chips = list(Hardware.objects.with_derived_metrics().filter(slug__in=["fast", "slow"]).order_by("slug"))
    rows = {row["field"]: row for row in compare_hardware(chips)["metrics"]}
    assert [entry["best"] for entry in rows["bf16_flops"]["values"]] == [True, False]
    assert rows["bf16_flops"]["better"] == HIGHER
    assert not any(entry["best"] for entry in rows["tdp_watts"]["values"])  # a higher TDP is not better
    assert rows["bf16_flops"]["values"][0]["text"] == "2 PFLOP/s"


def test_compare_models_marks_the_longest_context():
    short, long = make_model("short", context_length=8192), make_model("long", context_length=200_000)
    rows = {row["field"]: row for row in compare_models([short, long])}
    assert [entry["best"] for entry in rows["context_length"]["values"]] == [False, True]
    assert rows["context_length"]["values"][1]["text"] == "200,000 tokens"
    assert not any(entry["best"] for entry in rows["parameters"]["values"])


def test_compare_page_uses_the_sites_units_and_highlights_the_best(client):
    make_hardware("big", memory_bytes=192e9, bf16_flops=1.3e15)
    make_hardware("small", memory_bytes=80e9, bf16_flops=9.9e14)
    html = client.get("/compare/", {"chips": ["big", "small"]}).content.decode()
    assert "192 GB" in html and "Gbyte" not in html
    assert re.search(r'<td class="num confidence-reported best"><strong>192 GB</strong>', html)
    assert "Higher is better" in html


# ---------------------------------------------------------------------------------------------- names


def korean_model():
    return make_model("exaone-4-0-32b", name="EXAONE 4.0 32B", name_ko="엑사원 4.0 32B", local_name="엑사원 4.0")


def test_an_english_page_shows_a_korean_name_once_and_only_on_the_detail_page(client):
    korean_model()
    listing = client.get("/models/").content.decode()
    assert "엑사원" not in listing
    detail = client.get("/models/exaone-4-0-32b/").content.decode()
    assert detail.count("엑사원") == 1
    assert "Korean name" in detail


def test_a_korean_page_names_the_model_in_korean_with_the_english_name_beside_it_once(client):
    korean_model()
    listing = client.get("/ko/models/").content.decode()
    row = re.search(r"<tr>\s*<td><a href=\"/ko/models/exaone-4-0-32b/\">.*?</td>", listing, re.S).group(0)
    assert row.count("엑사원 4.0") == 1 and row.count("EXAONE 4.0 32B") == 1


# ---------------------------------------------------------------------------------------- prices


def checked_price(model_slug="priced", input_price="0.1375"):
    model, provider = make_model(model_slug), make_org("cloud")
    price = make_price(model, provider, "2024-01-01", input_price=input_price)
    PriceCheck.objects.create(price=price, checked_on=datetime.date(2026, 7, 24), source=make_source())
    return price


@pytest.mark.parametrize("url", ["/prices/", "/models/priced/", "/estimate/tokens/"])
def test_prices_show_when_they_were_last_checked(client, url):
    checked_price()
    html = client.get(url).content.decode()
    assert "July 24, 2026" in html
    assert "$0.1375" in html or url == "/estimate/tokens/"


def test_the_token_calculator_never_cuts_a_price_to_dollar_zero_point(client):
    checked_price(input_price="0.000150")
    html = client.get("/estimate/tokens/", {"input_tokens": 1000, "output_tokens": 10}).content.decode()
    assert not re.search(r"\$0\.(?!\d)", html)
    assert (
        "<strong>$0.00004</strong>" in html
    )  # 10 output tokens at $4 per 1M, and 1,000 input tokens for next to nothing


# -------------------------------------------------------------------------------------- training runs


def test_the_training_comparison_explains_every_missing_estimate_and_names_the_chip(client):
    model = make_model("run-model", parameters=7e9, training_tokens=int(2e12))
    TrainingRun.objects.create(slug="no-chip", model=model, chip_count=256, duration_hours=100)
    html = client.get("/estimate/training/", {"model": "run-model"}).content.decode()
    row = re.search(r'<tr><th scope="row" class="nowrap"><a href="/models/run-model/">.*?</tr>', html, re.S).group(0)
    assert '256 × <span class="muted">chip not recorded</span>' in row
    assert not re.search(r'class="num confidence-estimated"></td>', row)  # no lone "≈"
    assert row.count('class="num unknown" title="The run') == 2  # time and cost, each with its reason


def test_the_training_comparison_shows_the_top_runs_and_links_to_the_rest(client):
    for number in range(25):
        model = make_model(f"m{number}", parameters=7e9, training_tokens=int(2e12))
        TrainingRun.objects.create(slug=f"run-{number}", model=model, chip_count=8, duration_hours=10)
    html = client.get("/estimate/training/").content.decode()
    table = re.search(r'<table class="est-runs">.*?</table>', html, re.S).group(0)
    assert table.count('<th scope="row"') == 20
    assert "20 of 25 recorded runs" in html and 'href="/api/v1/training-runs/"' in html


def test_a_run_lasting_months_reads_in_days_and_its_cost_in_millions():
    assert FIGURES["duration_hours"].format(4300) == "179 days"
    assert FIGURES["cost_usd"].format(Decimal("30419404")) == "$30.4M"


def test_an_unknown_figure_of_an_estimated_row_is_a_plain_dash_not_an_estimate(client):
    model = make_model("m", org=make_org("lab"), parameters=10**9)
    TrainingRun.objects.create(slug="guess", model=model, chip_count=512, confidence="estimated")
    html = client.get(f"/models/{model.slug}/", HTTP_HOST="127.0.0.1").content.decode()
    assert '<td class="num confidence-estimated">512</td>' in html  # known: marked as the estimate it is
    assert html.count('<td class="num unknown">—</td>') == 4  # duration, compute, utilization, cost
    assert 'confidence-estimated">—' not in html  # the stylesheet would print "≈ —"


def test_organization_pages_name_the_country_in_the_readers_language(client):
    make_org("furiosa", name="FuriosaAI", country="KR")
    assert "South Korea" in client.get("/organizations/furiosa/", HTTP_HOST="127.0.0.1").content.decode()
    listed = client.get("/ko/organizations/", HTTP_HOST="127.0.0.1").content.decode()
    assert "<td>대한민국</td>" in listed
