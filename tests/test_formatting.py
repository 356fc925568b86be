"""The one way each kind of figure is written, in English and Korean (catalog.formatting via catalog.figures)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from catalog import formatting
from catalog.figures import format_figure


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def korean():
    with translation.override("ko"):
        yield


@pytest.mark.usefixtures("english")
class TestMoney:
    @pytest.mark.parametrize(
        ("amount", "text"),
        [
            (0, "$0"),
            (0.00001, "$0.00001"),
            (0.0042, "$0.0042"),
            (0.1375, "$0.14"),
            (0.4, "$0.40"),
            (2.5, "$2.50"),
            (152.344, "$152.34"),
            (12_345.67, "$12,346"),
            (1_520_000, "$1.52M"),
            (2_060_000, "$2.06M"),
            (30_419_403.74, "$30.4M"),
            (2_240_000_000, "$2.24B"),
        ],
    )
    def test_amounts_to_meaningful_digits(self, amount, text):
        assert formatting.money(amount) == text

    def test_no_false_precision_on_large_costs(self):
        assert format_figure("cost_usd", Decimal("30419403.74")) == "$30.4M"
        assert format_figure("cost_usd", Decimal("2060000.00")) == "$2.06M"

    @pytest.mark.parametrize(
        ("quoted", "text"),
        [("0.1375", "$0.1375"), ("2.5", "$2.50"), ("60", "$60.00"), ("0.02", "$0.02"), ("0.000150", "$0.00015")],
    )
    def test_prices_keep_the_digits_the_provider_quotes(self, quoted, text):
        assert format_figure("input_per_mtok", Decimal(quoted)) == text

    def test_a_worked_out_price_is_an_amount_not_a_quote(self):
        assert format_figure("blended_per_mtok", Decimal("0.240625")) == "$0.24"

    def test_other_currencies_follow_the_number(self):
        assert formatting.money(2.5, "EUR") == "2.50 EUR"


@pytest.mark.usefixtures("english")
class TestEnglish:
    @pytest.mark.parametrize(
        ("name", "value", "text"),
        [
            ("bf16_flops", 989.4e12, "989 TFLOP/s"),
            ("memory_bandwidth", 3.35e12, "3.35 TB/s"),
            ("memory_bytes", 80e9, "80 GB"),
            ("memory_bytes", 192e9, "192 GB"),
            ("parameters", 175e9, "175B"),
            ("transistors", 80e9, "80B"),
            ("training_compute_flop", 6.3e24, "6.3e24 FLOP"),
            ("training_compute_flop", 3.14e23, "3.14e23 FLOP"),
            ("context_length", 200_000, "200,000 tokens"),
            ("context_length", 10_000, "10,000 tokens"),
            ("duration_hours", 15.5e6 / 3600, "179 days"),
            ("duration_hours", 36, "36 hours"),
            ("duration_hours", 0.5, "30 minutes"),
            ("tdp_watts", 700, "700 W"),
            ("tdp_watts", 1000, "1,000 W"),
            ("die_area_mm2", 814, "814 mm²"),
            ("process_nm", 4, "4 nm"),
            ("bf16_flops_per_watt", 1.41e12, "1.41 TFLOP/s per W"),
            ("ridge_point", 295.3, "295 FLOP/B"),
            ("utilization", 0.412, "41.2%"),
            ("ratio", 1, "1.00×"),
            ("release_date", datetime.date(2024, 5, 13), "May 13, 2024"),
        ],
    )
    def test_each_figure_one_way(self, name, value, text):
        assert format_figure(name, value) == text

    def test_unknown_values_are_empty_so_templates_can_say_so(self):
        assert format_figure("bf16_flops", None) == ""
        assert format_figure("cost_usd", None) == ""

    def test_counts_group_their_digits(self):
        assert formatting.count(10_000) == "10,000"
        assert formatting.count(1e17) == "1e17"


@pytest.mark.usefixtures("korean")
class TestKorean:
    @pytest.mark.parametrize(
        ("name", "value", "text"),
        [
            ("parameters", 175e9, "1,750억"),
            ("bf16_flops", 989.4e12, "989 TFLOP/s"),
            ("memory_bytes", 192e9, "192 GB"),
            ("training_compute_flop", 6.3e24, "6.3e24 FLOP"),
            ("cost_usd", 30_419_403.74, "$3,040만"),
            ("cost_usd", 2.5, "$2.50"),
            ("input_per_mtok", Decimal("0.1375"), "$0.1375"),
            ("release_date", datetime.date(2024, 5, 13), "2024년 5월 13일"),
        ],
    )
    def test_units_stay_si_and_counts_follow_the_language(self, name, value, text):
        assert format_figure(name, value) == text
