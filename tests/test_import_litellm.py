"""The LiteLLM price-map format: per-token prices become dated price points, the rest is kept for review."""

import datetime
import io
import json
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from catalog.importers import offering_names
from catalog.importers.engine import CREATE, ERROR, UNCHANGED, UPDATE
from catalog.importers.litellm import SOURCE_URL
from catalog.importers.service import import_file
from catalog.models import FoundationModel, Organization, PriceCheck, PricePoint, Source, UnmatchedOffering
from tests.factories import make_model, make_org

pytestmark = pytest.mark.django_db

DATE = datetime.date(2026, 7, 24)
FILE_NAME = "litellm_model_prices_2026-07-24.json"
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "litellm_model_prices_2026-07-24.json"


def chat(provider, input_cost, output_cost, **extra):
    return {
        "litellm_provider": provider,
        "mode": "chat",
        "input_cost_per_token": input_cost,
        "output_cost_per_token": output_cost,
        **extra,
    }


def price_map(entries, **top):
    spec = {"litellm_provider": "one of https://docs.litellm.ai/docs/providers", "mode": "one of: chat, ..."}
    return json.dumps({"sample_spec": spec, **top, **entries}).encode()


def run_import(data, *, dry_run=False, file_name=FILE_NAME):
    return import_file(fmt="litellm", data=data, file_name=file_name, dry_run=dry_run)


PRICE = "catalog.pricepoint"


def counts(report):
    """Created, updated, unchanged and refused price rows (the source row too; not the dated checks), and
    the entries kept for review."""
    tally = Counter(outcome.action for outcome in report.outcomes if outcome.table != "catalog.pricecheck")
    return tally[CREATE], tally[UPDATE], tally[UNCHANGED], tally[ERROR], report.run.flagged


def rows_of(report, where):
    return [row for row in report.run.rows if row["where"] == where]


def file_notes(report):
    (row,) = [row for row in report.run.rows if row["table"] == "catalog.source"]
    return " ".join(row["messages"])


def messages_of(report):
    return report.run.file_error + " ".join(message for row in report.run.rows for message in row["messages"])


@pytest.fixture
def lab():
    return make_lab()


def make_lab():
    """Three providers, three models, and the current GPT-4o price."""
    openai = make_org("openai", name="OpenAI", country="US")
    make_org("microsoft", name="Microsoft", country="US")
    make_org("deepseek", name="DeepSeek", country="CN")
    gpt4o = make_model("gpt-4o", org=openai, name="GPT-4o")
    make_model("gpt-4-1", org=openai, name="GPT-4.1", aliases=["gpt-4.1-2025-04-14"])
    make_model("deepseek-v3", org=openai, name="DeepSeek-V3", aliases=["deepseek-chat"])
    current = PricePoint.objects.create(
        model=gpt4o,
        provider=openai,
        api_model_id="gpt-4o",
        input_per_mtok=Decimal("2.50"),
        output_per_mtok=Decimal("10.00"),
        cached_input_per_mtok=Decimal("1.25"),
        effective_from=datetime.date(2024, 10, 2),
    )
    return {"openai": openai, "gpt-4o": gpt4o, "current": current}


GPT_4O = chat("openai", 2.5e-06, 1e-05, cache_read_input_token_cost=1.25e-06)


class TestPrices:
    def test_usd_per_token_becomes_usd_per_million_and_cites_the_source(self, lab):
        data = price_map({"gpt-4.1": chat("openai", 2e-06, 8e-06, cache_read_input_token_cost=5e-07)})
        report = run_import(data)
        assert report.ok, report.lines()
        assert counts(report) == (2, 0, 0, 0, 0)  # the source and the price point
        price = PricePoint.objects.get(api_model_id="gpt-4.1")
        assert price.model.slug == "gpt-4-1" and price.provider.slug == "openai"  # 'gpt-4.1' = 'GPT-4.1'
        assert (price.input_per_mtok, price.output_per_mtok, price.cached_input_per_mtok) == (
            Decimal("2"),
            Decimal("8"),
            Decimal("0.5"),
        )
        assert price.effective_from == DATE and price.effective_to is None
        assert price.context_tier == "standard" and price.currency == "USD" and price.confidence == "reported"
        assert "LiteLLM" in price.notes and "may have applied earlier" in price.notes
        assert [source.url for source in price.sources.all()] == [SOURCE_URL]
        assert Source.objects.get(url=SOURCE_URL).retrieved_on == DATE
        assert report.run.rows[0]["table"] == "catalog.source"  # the source record comes first

    def test_fractions_of_a_cent_survive(self, lab):
        report = run_import(price_map({"gpt-4.1": chat("openai", 1.6666667e-07, 3.75e-07)}))
        assert report.ok, report.lines()
        price = PricePoint.objects.get(api_model_id="gpt-4.1")
        assert (price.input_per_mtok, price.output_per_mtok) == (Decimal("0.166667"), Decimal("0.375"))

    def test_long_context_prices_are_a_tier_of_their_own(self, lab):
        entry = chat(
            "openai",
            1.25e-06,
            1e-05,
            cache_read_input_token_cost=1.25e-07,
            input_cost_per_token_above_200k_tokens=2.5e-06,
            output_cost_per_token_above_200k_tokens=1.5e-05,
            input_cost_per_token_above_128k_tokens=2e-06,  # no output price above 128k: the base one applies
            input_cost_per_token_batches=6.25e-07,  # a service level, not a tier: skipped
        )
        report = run_import(price_map({"gpt-4.1": entry}))
        assert report.ok, report.lines()
        tiers = {
            price.context_tier: (price.input_per_mtok, price.output_per_mtok, price.cached_input_per_mtok)
            for price in PricePoint.objects.filter(api_model_id="gpt-4.1")
        }
        assert tiers == {
            "standard": (Decimal("1.25"), Decimal("10"), Decimal("0.125")),
            "over-200k": (Decimal("2.5"), Decimal("15"), Decimal("0.125")),
            "over-128k": (Decimal("2"), Decimal("10"), Decimal("0.125")),
        }
        assert {row["where"] for row in report.run.rows} >= {"entry 'gpt-4.1'", "entry 'gpt-4.1' (over-200k)"}

    def test_tiered_pricing_ranges_name_their_tiers(self, lab):
        entry = {
            "litellm_provider": "openai",
            "mode": "chat",
            "tiered_pricing": [
                {"input_cost_per_token": 1.2e-06, "output_cost_per_token": 6e-06, "range": [0, 32000.0]},
                {"input_cost_per_token": 2.4e-06, "output_cost_per_token": 1.2e-05, "range": [32000.0, 128000.0]},
                {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05, "range": [256000.0, 1000000.0]},
            ],
        }
        report = run_import(price_map({"gpt-4.1": entry}))
        assert report.ok, report.lines()
        tiers = dict(PricePoint.objects.filter(api_model_id="gpt-4.1").values_list("context_tier", "input_per_mtok"))
        assert tiers == {"0-32k": Decimal("1.2"), "32k-128k": Decimal("2.4"), "256k-1m": Decimal("3")}


class TestHistory:
    def test_the_same_price_is_unchanged_not_a_new_period(self, lab):
        report = run_import(price_map({"gpt-4o": GPT_4O}))
        assert report.ok, report.lines()
        assert counts(report) == (1, 0, 1, 0, 0)  # the source is new; the price is confirmed
        assert PricePoint.objects.filter(api_model_id="gpt-4o").count() == 1

    def test_a_missing_cache_price_is_unknown_not_a_change(self, lab):
        report = run_import(price_map({"gpt-4o": chat("openai", 2.5e-06, 1e-05)}))
        assert counts(report) == (1, 0, 1, 0, 0)
        assert PricePoint.objects.get(api_model_id="gpt-4o").cached_input_per_mtok == Decimal("1.25")

    def test_a_new_price_closes_the_current_period_on_the_files_date(self, lab):
        report = run_import(price_map({"gpt-4o": chat("openai", 2e-06, 8e-06, cache_read_input_token_cost=1e-06)}))
        assert report.ok, report.lines()
        assert counts(report) == (2, 1, 0, 0, 0)
        old, new = PricePoint.objects.filter(api_model_id="gpt-4o").order_by("effective_from")
        assert (old.effective_from, old.effective_to, old.input_per_mtok) == (
            datetime.date(2024, 10, 2),
            DATE,
            Decimal("2.5"),
        )
        assert (new.effective_from, new.effective_to, new.input_per_mtok) == (DATE, None, Decimal("2"))
        assert new.model == lab["gpt-4o"]
        closing, opening, check = rows_of(report, "entry 'gpt-4o'")
        assert closing["action"] == "update" and closing["changes"] == {"effective_to": [None, "2026-07-24"]}
        assert opening["action"] == "create"
        assert (check["table"], check["action"]) == ("catalog.pricecheck", "create")

    def test_a_file_older_than_the_current_period_is_an_error(self, lab):
        lab["current"].effective_from = datetime.date(2026, 8, 1)
        lab["current"].save()
        report = run_import(price_map({"gpt-4o": chat("openai", 5e-06, 1.5e-05)}))
        assert not report.ok and report.run.status == "refused"
        assert "does not rewrite the catalog's history" in messages_of(report)
        assert PricePoint.objects.count() == 1 and not Source.objects.filter(url=SOURCE_URL).exists()

    def test_an_older_file_that_agrees_with_history_is_unchanged(self, lab):
        current = lab["current"]
        PricePoint.objects.create(
            model=current.model,
            provider=current.provider,
            api_model_id="gpt-4o",
            input_per_mtok=Decimal("5"),
            output_per_mtok=Decimal("15"),
            effective_from=datetime.date(2024, 5, 13),
            effective_to=datetime.date(2024, 10, 2),
        )
        report = run_import(price_map({"gpt-4o": chat("openai", 5e-06, 1.5e-05)}), file_name="prices_2024-06-01.json")
        assert report.ok, report.lines()
        assert counts(report) == (1, 0, 1, 0, 0)

    def test_an_earlier_price_coming_back_is_taken_as_a_stale_entry(self, lab):
        current = lab["current"]
        PricePoint.objects.create(
            model=current.model,
            provider=current.provider,
            api_model_id="gpt-4o",
            input_per_mtok=Decimal("5"),
            output_per_mtok=Decimal("15"),
            effective_from=datetime.date(2024, 5, 13),
            effective_to=datetime.date(2024, 10, 2),
        )
        report = run_import(price_map({"gpt-4o": chat("openai", 5e-06, 1.5e-05)}))
        assert report.ok, report.lines()
        assert counts(report) == (1, 0, 0, 0, 0)
        assert "likely behind the catalog" in file_notes(report) and "'gpt-4o'" in file_notes(report)
        assert PricePoint.objects.count() == 2

    def test_an_offering_the_catalog_has_ended_is_not_reopened(self, lab):
        lab["current"].effective_to = datetime.date(2025, 7, 1)
        lab["current"].save()
        report = run_import(price_map({"gpt-4o": GPT_4O}))
        assert report.ok, report.lines()
        assert counts(report) == (1, 0, 0, 0, 0)
        assert "Not reopened: 1 offerings" in file_notes(report)
        assert PricePoint.objects.count() == 1

    def test_importing_the_same_file_again_changes_nothing(self, lab):
        data = price_map(
            {
                "gpt-4o": chat("openai", 2e-06, 8e-06),
                "gpt-4.1": chat("openai", 2e-06, 8e-06),
                "together_ai/meta-llama/Llama-3-70b": chat("together_ai", 9e-07, 9e-07),
            }
        )
        first = run_import(data)
        assert first.ok and counts(first) == (3, 1, 0, 0, 1)
        prices, kept = PricePoint.objects.count(), UnmatchedOffering.objects.count()
        again = run_import(data)
        assert counts(again) == (0, 0, 3, 0, 0)  # the source, gpt-4o's new period, gpt-4.1
        assert (PricePoint.objects.count(), UnmatchedOffering.objects.count()) == (prices, kept)
        assert "1 unmatched offerings were already kept" in file_notes(again)


class TestMatching:
    def test_the_routing_prefix_is_dropped_and_clouds_bill_under_their_organization(self, lab):
        report = run_import(price_map({"azure/gpt-4o": chat("azure", 2.5e-06, 1e-05)}))
        assert report.ok, report.lines()
        price = PricePoint.objects.get(provider__slug="microsoft")
        assert (price.api_model_id, price.model.slug) == ("gpt-4o", "gpt-4o")

    def test_an_alias_and_an_existing_api_id_match(self, lab):
        data = price_map(
            {
                "gpt-4.1-2025-04-14": chat("openai", 2e-06, 8e-06),
                "deepseek/deepseek-chat": chat("deepseek", 2.8e-07, 4.2e-07),
            }
        )
        report = run_import(data)
        assert report.ok, report.lines()
        assert PricePoint.objects.get(api_model_id="gpt-4.1-2025-04-14").model.slug == "gpt-4-1"
        assert PricePoint.objects.get(api_model_id="deepseek-chat").model.slug == "deepseek-v3"

    def test_existing_price_points_decide_the_model_over_names(self, lab):
        other = make_model("gpt-4o-again", name="gpt-4o-2024-08-06")
        PricePoint.objects.create(
            model=lab["gpt-4o"],
            provider=lab["openai"],
            api_model_id="gpt-4o-2024-08-06",
            input_per_mtok=Decimal("2.5"),
            output_per_mtok=Decimal("10"),
            effective_from=datetime.date(2024, 8, 6),
        )
        report = run_import(price_map({"gpt-4o-2024-08-06": chat("openai", 2e-06, 8e-06)}))
        assert report.ok, report.lines()
        assert not other.prices.exists()

    @pytest.mark.parametrize("key", ["gpt-4o-2099-01-01", "ft:gpt-4o", "gpt-4o-latest", "gpt-flash-latest"])
    def test_near_misses_are_kept_for_review_never_guessed(self, lab, key):
        # A snapshot dated after the file, a fine-tune, a pointer that moves between models.
        report = run_import(price_map({key: chat("openai", 1e-06, 2e-06)}))
        assert report.ok and report.run.flagged == 1
        assert not PricePoint.objects.exclude(pk=lab["current"].pk).exists()
        kept = UnmatchedOffering.objects.get()
        assert (kept.provider, kept.api_model_id) == (lab["openai"], key)

    @pytest.mark.parametrize(
        "key,slug", [("gpt-4o-mini", "gpt-4o-mini"), ("openai/gpt-4o-realtime", "gpt-4o-realtime")]
    )
    def test_another_model_of_a_known_maker_becomes_a_model_of_its_own_never_a_look_alike(self, lab, key, slug):
        report = run_import(price_map({key: chat("openai", 1e-06, 2e-06)}))
        assert report.ok and report.run.flagged == 0
        price = PricePoint.objects.exclude(pk=lab["current"].pk).get()
        assert price.model.slug == slug and price.model != lab["gpt-4o"]

    def test_a_model_name_shared_by_two_models_matches_neither(self, lab):
        make_model("gpt-4o-copy", name="GPT-4o")
        report = run_import(price_map({"azure/gpt-4o": chat("azure", 2.5e-06, 1e-05)}))
        assert report.ok and report.run.flagged == 1
        assert not PricePoint.objects.filter(provider__slug="microsoft").exists()


class TestKeptForReview:
    def test_unknown_providers_and_models_become_unmatched_offerings(self, lab):
        data = price_map(
            {
                "together_ai/meta-llama/Llama-3-70b": chat("together_ai", 9e-07, 9e-07),
                "house-9": chat("openai", 1e-06, 3e-06, cache_read_input_token_cost=1e-07),
                "house-9-long": chat(
                    "openai",
                    1e-06,
                    3e-06,
                    input_cost_per_token_above_200k_tokens=2e-06,
                    output_cost_per_token_above_200k_tokens=6e-06,
                ),
            }
        )
        before = FoundationModel.objects.count(), Organization.objects.count()
        preview = run_import(data, dry_run=True)
        assert preview.ok and preview.run.flagged == 4
        assert not UnmatchedOffering.objects.exists()  # a dry run keeps nothing
        report = run_import(data)
        assert report.ok and counts(report) == (1, 0, 0, 0, 4)
        assert (FoundationModel.objects.count(), Organization.objects.count()) == before  # none made up
        together = UnmatchedOffering.objects.get(provider_name="together_ai")
        assert together.provider is None and together.api_model_id == "together_ai/meta-llama/Llama-3-70b"
        assert together.input_per_mtok == Decimal("0.9") and together.effective_from == DATE
        assert together.import_run == report.run and together.details["litellm_provider"] == "together_ai"
        gpt9 = UnmatchedOffering.objects.get(api_model_id="house-9")
        assert gpt9.provider == lab["openai"] and gpt9.mode == "chat" and gpt9.cached_input_per_mtok == Decimal("0.1")
        long_context = UnmatchedOffering.objects.filter(api_model_id="house-9-long")
        tiers = set(long_context.values_list("context_tier", flat=True))
        assert tiers == {"standard", "over-200k"}
        assert "2 entries matched" not in file_notes(report) and "3 kept for review" in file_notes(report)

    def test_non_token_modes_and_unpriced_entries_are_skipped_and_counted(self, lab):
        data = price_map(
            {
                "text-embedding-3-small": {
                    "litellm_provider": "openai",
                    "mode": "embedding",
                    "input_cost_per_token": 2e-08,
                    "output_cost_per_token": 0.0,
                },
                "dall-e-3": {"litellm_provider": "openai", "mode": "image_generation", "output_cost_per_image": 0.04},
                "whisper-1": {"litellm_provider": "openai", "mode": "audio_transcription"},
                "gpt-4.1": chat("openai", 2e-06, 8e-06),
                "gpt-free": {"litellm_provider": "openai", "mode": "chat"},
                "fireworks-ai-default": {"litellm_provider": "fireworks_ai", "input_cost_per_token": 9e-07},
            },
            last_updated="2026-07-24T18:23:43+00:00",
        )
        report = run_import(data)
        # The source, GPT-4.1's price, and the embedding: a model of its own (task embedding) and its price.
        assert report.ok and counts(report) == (4, 0, 0, 0, 0)
        notes = file_notes(report)
        assert "image_generation 1, audio_transcription 1, no mode 1" in notes and "embedding 1" not in notes
        assert "Skipped 1 chat, completion or responses entries without both per-token prices" in notes
        assert "1 entries matched to catalog models, 1 models made" in notes
        embedding = PricePoint.objects.get(api_model_id="text-embedding-3-small")
        assert embedding.model.task == "embedding" and embedding.output_per_mtok == 0
        assert embedding.input_per_mtok == Decimal("0.02")

    def test_an_embedding_price_is_never_filed_under_a_chat_model_nor_compared_with_chat_prices(self, lab):
        entry = {"litellm_provider": "openai", "mode": "embedding", "input_cost_per_token": 1e-08}
        report = run_import(price_map({"gpt-4o": entry}))  # LiteLLM lists a few chat models as embeddings
        assert report.ok and report.run.flagged == 1 and PricePoint.objects.count() == 1
        run_import(price_map({"text-embedding-3-small": entry}))
        embedding = PricePoint.objects.get(api_model_id="text-embedding-3-small")
        assert embedding.output_per_mtok == 0  # no output tokens: nil, not unknown
        assert list(PricePoint.objects.comparable()) == [lab["current"]]

    def test_one_provider_listing_an_id_twice_keeps_one(self, lab):
        same = chat("deepseek", 2.8e-07, 4.2e-07)
        data = price_map({"deepseek/deepseek-chat": same, "deepseek-chat": same})
        report = run_import(data)
        assert report.ok and counts(report) == (2, 0, 0, 0, 0)
        assert rows_of(report, "entry 'deepseek-chat'")  # the id without a routing prefix wins
        assert "repeat another id of the same provider" in file_notes(report)
        other = chat("deepseek", 5e-07, 1e-06)
        report = run_import(price_map({"deepseek/deepseek-chat": other, "deepseek-chat": same}))
        assert report.ok and report.run.flagged == 1
        assert UnmatchedOffering.objects.get().api_model_id == "deepseek/deepseek-chat"


class TestFileDate:
    @pytest.mark.parametrize(
        ("top", "file_name", "expected", "note"),
        [
            ({"last_updated": "2026-07-24T18:23:43.215560+00:00"}, "prices.json", DATE, "the file's last_updated"),
            ({}, "model_prices_2026-07-24.json", DATE, "from the file name"),
            ({"last_updated": "2026-07-24T00:00:00"}, "x_2026-01-01.json", DATE, "the field wins"),
        ],
    )
    def test_where_the_date_comes_from(self, lab, top, file_name, expected, note):
        report = run_import(price_map({"gpt-4.1": chat("openai", 2e-06, 8e-06)}, **top), file_name=file_name)
        assert report.ok, report.lines()
        assert PricePoint.objects.get(api_model_id="gpt-4.1").effective_from == expected
        assert note in file_notes(report)

    def test_without_a_date_today_is_used_and_the_report_says_so(self, lab):
        report = run_import(price_map({"gpt-4.1": chat("openai", 2e-06, 8e-06)}), file_name="prices.json")
        assert report.ok, report.lines()
        assert PricePoint.objects.get(api_model_id="gpt-4.1").effective_from == datetime.date.today()
        assert "The file has no date" in file_notes(report)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"gpt-4o": {"litellm_provider": "openai", "mode": "ch', "The JSON cannot be parsed"),
        (b"[1, 2]", "this file is not an object"),
        ('{"gpt-4o": {}}'.encode("utf-16"), "not UTF-8"),
        (b"{}", "holds no model entries"),
        (b'{"sample_spec": {"mode": "chat"}, "last_updated": "2026-07-24"}', "holds no model entries"),
        (price_map({"gpt-4.1": chat("openai", "cheap", 8e-06)}), "input_cost_per_token: 'cheap' is not a price"),
        (price_map({"gpt-4.1": chat("openai", -1e-06, 8e-06)}), "is not a price"),
        (price_map({"gpt-4.1": chat("openai", 2.0, 8e-06)}), "more than a price point holds"),
        (
            price_map({"gpt-4.1": {"litellm_provider": "openai", "mode": "chat", "tiered_pricing": [{"range": [9]}]}}),
            "is not [from, to] in tokens",
        ),
    ],
)
def test_bad_input_says_why_and_writes_nothing(lab, data, expected):
    report = run_import(data)
    assert not report.ok and report.run.status == "refused"
    assert expected in messages_of(report)
    assert not Source.objects.filter(url=SOURCE_URL).exists() and not UnmatchedOffering.objects.exists()
    assert PricePoint.objects.count() == 1


def test_a_bad_entry_is_named_even_among_unmatched_ones(lab):
    data = price_map(
        {
            "together_ai/x": chat("together_ai", 1e-06, 1e-06),
            "together_ai/y": chat("together_ai", True, 1e-06),
        }
    )
    report = run_import(data)
    assert not report.ok
    (error,) = [row for row in report.run.rows if row["action"] == "error"]
    assert error["where"] == "entry 'together_ai/y'"
    assert not UnmatchedOffering.objects.exists()


def test_the_import_data_command_reads_the_format(lab, tmp_path):
    path = tmp_path / FILE_NAME
    path.write_bytes(price_map({"gpt-4.1": chat("openai", 2e-06, 8e-06)}))
    out = io.StringIO()
    call_command("import_data", str(path), "--format", "litellm", "--dry-run", stdout=out)
    assert "entry 'gpt-4.1': create catalog.pricepoint openai | gpt-4.1 | standard | 2026-07-24" in out.getvalue()
    # The source, the price and the dated check that the file confirms it.
    assert "3 to create" in out.getvalue() and not PricePoint.objects.filter(api_model_id="gpt-4.1").exists()


@pytest.mark.skipif(not REFERENCE.exists(), reason="the LiteLLM snapshot in ../shared/reference/ is not here")
class TestReferenceFile:
    """The real map (~3,000 entries): sane counts, well within the time budget, into an empty and a full catalog."""

    def import_reference(self, *, dry_run):
        started = time.monotonic()
        report = run_import(REFERENCE.read_bytes(), dry_run=dry_run, file_name=REFERENCE.name)
        return report, time.monotonic() - started

    def test_into_an_empty_database_everything_is_kept_for_review(self):
        report, seconds = self.import_reference(dry_run=True)
        assert report.ok, report.lines()[-5:]
        assert seconds < 30
        created, updated, unchanged, errors, flagged = counts(report)
        assert (created, updated, unchanged, errors) == (1, 0, 0, 0)  # only the source: no organization to bill
        assert 1500 < flagged < 3000
        assert "Prices dated 2026-07-24" in file_notes(report) and "0 entries matched" in file_notes(report)

    def test_into_the_curated_data_and_again(self):
        # As bundle_outside_data does it: on the curated rows only (the outside layer holds these prices).
        call_command("load_bundled_data", "--curated-only", stdout=io.StringIO(), stderr=io.StringIO())
        prices = PricePoint.objects.count()
        closed = PricePoint.objects.exclude(effective_to=None).count()
        report, seconds = self.import_reference(dry_run=False)
        assert report.ok, [line for line in report.lines() if "error" in line][:5]
        assert seconds < 30
        created, updated, unchanged, errors, flagged = counts(report)
        assert errors == 0 and 200 < created < 5000 and updated < 30 and unchanged > 40 and 300 < flagged < 3000
        made = Counter(outcome.table for outcome in report.outcomes if outcome.action == CREATE)
        assert 200 < made["catalog.foundationmodel"] < 600  # models read from ids that name their maker
        assert FoundationModel.objects.filter(confidence="estimated", sources__url=SOURCE_URL).count() > 200
        assert PricePoint.objects.count() == prices + made["catalog.pricepoint"]
        # Each update closes an open period: on the file's date (a new price), or on a retirement date before it.
        assert updated == PricePoint.objects.exclude(effective_to=None).count() - closed
        (confirmed,) = [o for o in report.outcomes if o.where == "entry 'gpt-4o-2024-08-06'" and o.table == PRICE]
        assert confirmed.action == UNCHANGED  # (the run's log keeps changes first; the outcomes hold every row)
        again, _ = self.import_reference(dry_run=True)
        # Again: every price is confirmed, and the models made the first time now match (no model row again).
        confirmed = created + unchanged - made["catalog.foundationmodel"]
        assert counts(again)[:4] == (0, 0, confirmed, 0) and again.run.flagged == 0


class TestHostIds:
    """A host's id is matched to a model by its bare name once the exact id fails, never by a guess."""

    @pytest.fixture
    def hosts(self, lab):
        anthropic = make_org("anthropic", name="Anthropic", country="US")
        meta = make_org("meta", name="Meta", country="US")
        make_org("aws", name="Amazon Web Services", country="US")
        make_org("together-ai", name="Together AI", country="US")
        make_model("claude-3-haiku", org=anthropic, name="Claude 3 Haiku", aliases=["claude-3-haiku-20240307"])
        make_model("llama-3-3-70b", org=meta, name="Llama 3.3 70B")
        return lab

    def test_bedrock_and_together_ids_find_their_models(self, hosts):
        data = price_map(
            {
                "bedrock/anthropic.claude-3-haiku-20240307-v1:0": chat("bedrock", 2.5e-07, 1.25e-06),
                "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo": chat("together_ai", 8.8e-07, 8.8e-07),
            }
        )
        report = run_import(data)
        assert report.ok and report.run.flagged == 0, report.lines()
        bedrock = PricePoint.objects.get(provider__slug="aws")
        assert (bedrock.api_model_id, bedrock.model.slug) == (
            "anthropic.claude-3-haiku-20240307-v1:0",
            "claude-3-haiku",
        )
        together = PricePoint.objects.get(provider__slug="together-ai")
        assert (together.api_model_id, together.model.slug) == (
            "meta-llama/Llama-3.3-70B-Instruct-Turbo",
            "llama-3-3-70b",
        )

    @pytest.mark.parametrize(
        "key",
        [
            "together_ai/meta-llama/Llama-3.3-70B-Vision-Instruct",  # another model, not a serving variant
            "bedrock/anthropic.claude-3-haiku-20250101-v1:0",  # another snapshot date
        ],
    )
    def test_what_only_looks_alike_is_never_filed_under_the_look_alike(self, hosts, key):
        provider = key.split("/")[0]
        report = run_import(price_map({key: chat(provider, 1e-06, 2e-06)}))
        assert report.ok
        filed = set(PricePoint.objects.exclude(pk=hosts["current"].pk).values_list("model__slug", flat=True))
        assert not filed & {"llama-3-3-70b", "claude-3-haiku"}
        # Another snapshot of a known model waits for a curator; a model the catalog lacks becomes its own row.
        assert filed == ({"llama-3-3-70b-vision"} if "Vision" in key else set())
        assert report.run.flagged == (0 if "Vision" in key else 1)


def test_a_price_no_real_offering_charges_is_kept_for_review_not_imported(lab):
    # 0.1 USD per token is 100,000 USD per million: a unit mistake in the map, not a price.
    report = run_import(price_map({"azure/gpt-4o": chat("azure", 0.1, 0.1)}))
    assert report.ok and report.run.flagged == 1
    assert not PricePoint.objects.filter(provider__slug="microsoft").exists()
    assert UnmatchedOffering.objects.get().api_model_id == "azure/gpt-4o"


class TestChecks:
    """Each price the file shows gets a dated check citing the map, so a page can say when it was last seen."""

    def test_a_confirmed_new_and_unchanged_price_are_checked_on_the_files_date(self, lab):
        data = price_map({"gpt-4o": GPT_4O, "gpt-4.1": chat("openai", 2e-06, 8e-06)})
        assert run_import(data).ok
        checks = PriceCheck.objects.order_by("price__api_model_id")
        assert [(c.price.api_model_id, c.price.effective_from, c.checked_on, c.source.url) for c in checks] == [
            ("gpt-4.1", DATE, DATE, SOURCE_URL),
            ("gpt-4o", datetime.date(2024, 10, 2), DATE, SOURCE_URL),  # the curated period, confirmed
        ]
        again = run_import(data)
        assert PriceCheck.objects.count() == 2 and counts(again)[:2] == (0, 0)

    def test_the_api_says_when_a_price_was_last_checked_and_whether_it_is_stale(self, lab, client, settings):
        settings.PRICE_STALE_AFTER_DAYS = 100_000
        assert run_import(price_map({"gpt-4o": GPT_4O})).ok
        row = client.get("/api/v1/prices/", {"current": "true"}).json()["results"][0]
        assert (row["last_checked_on"], row["last_checked_by"], row["is_stale"]) == ("2026-07-24", SOURCE_URL, False)
        settings.PRICE_STALE_AFTER_DAYS = 1
        assert client.get("/api/v1/prices/", {"current": "true"}).json()["results"][0]["is_stale"] is True

    def test_the_price_pages_show_the_last_check_and_flag_a_stale_price(self, lab, client, settings):
        assert run_import(price_map({"gpt-4o": GPT_4O})).ok
        for page in ("/models/gpt-4o/", "/prices/"):
            settings.PRICE_STALE_AFTER_DAYS = 1
            html = client.get(page).content.decode()
            assert "Last checked" in html and "July 24, 2026" in html and 'class="badge stale"' in html, page
            settings.PRICE_STALE_AFTER_DAYS = 100_000
            assert 'class="badge stale"' not in client.get(page).content.decode(), page


class TestRetired:
    def test_an_entry_retired_before_the_files_date_ends_the_open_period_and_starts_none(self, lab):
        retired = chat("openai", 2.5e-06, 1e-05, cache_read_input_token_cost=1.25e-06, deprecation_date="2026-05-15")
        report = run_import(price_map({"gpt-4o": retired}))
        assert report.ok, report.lines()
        (only,) = PricePoint.objects.filter(api_model_id="gpt-4o")
        assert only.effective_to == datetime.date(2026, 5, 15)
        assert "Not current: 1 offerings LiteLLM marks retired" in file_notes(report)

    def test_a_retired_entry_the_catalog_lacks_is_not_imported(self, lab):
        report = run_import(
            price_map({"gpt-4.1-2025-04-14": chat("openai", 2e-06, 8e-06, deprecation_date="2026-01-01")})
        )
        assert report.ok and report.run.flagged == 0
        assert not PricePoint.objects.filter(api_model_id="gpt-4.1-2025-04-14").exists()

    def test_a_retirement_after_the_files_date_changes_nothing_yet(self, lab):
        report = run_import(price_map({"gpt-4o": chat("openai", 2.5e-06, 1e-05, deprecation_date="2027-01-14")}))
        assert report.ok
        assert PricePoint.objects.get(api_model_id="gpt-4o").effective_to is None


def test_a_free_entry_is_not_a_list_price(lab):
    report = run_import(price_map({"gpt-4.1": chat("openai", 0, 0)}))
    assert report.ok and report.run.flagged == 0
    assert not PricePoint.objects.filter(api_model_id="gpt-4.1").exists()
    assert "Skipped 1 free entries" in file_notes(report)


class TestModelsFromOfferings:
    """An id no catalog model matches becomes a model when its name says who makes it; else it waits for review."""

    @pytest.mark.parametrize(
        "key,canonical",
        [
            ("meta-llama/Llama-3.3-70B-Instruct-Turbo", "llama-3-3-70b"),
            ("accounts/fireworks/models/llama-v3p3-70b-instruct", "llama-3-3-70b"),
            ("us.meta.llama3-3-70b-instruct-v1:0", "llama-3-3-70b"),
            ("llama-3.3-70b-versatile", "llama-3-3-70b"),
            ("qwen25-coder-32b", "qwen2-5-coder-32b"),
            ("gpt-35-turbo-0125", "gpt-3-5-turbo-0125"),
            ("claude-4.5-sonnet", "claude-sonnet-4-5"),
            ("claude-3-5-sonnet", "claude-3-5-sonnet"),  # Claude 3 keeps its order
            ("claude-opus-4-6@default", "claude-opus-4-6"),
            ("llama-2-13b-chat", "llama-2-13b"),
            ("gpt-5-chat", "gpt-5-chat"),  # a product, not a chat tuning of a size
        ],
    )
    def test_one_canonical_name_for_the_ways_hosts_spell_a_model(self, key, canonical):
        assert offering_names.canonical_name(key) == canonical

    @pytest.mark.parametrize(
        "canonical,product",
        [
            ("mistral-large-2407", "mistral-large"),
            ("gemini-2-5-flash-lite-preview-09-2025", "gemini-2-5-flash-lite"),
            ("command-r-08-2024", "command-r"),
            ("gpt-4o-2024-11-20", "gpt-4o"),
            ("kimi-k2-5", "kimi-k2-5"),
            ("grok-4-fast-reasoning", "grok-4-fast"),  # a switch of one model's API
            ("mistral-7b-instruct-v0-2", "mistral-7b"),  # a weights revision
            ("qwen2-5-coder-32b-instruct-128k", "qwen2-5-coder-32b"),  # a context length
            ("qwen3-235b-a22b-thinking-2507", "qwen3-235b-a22b-thinking"),  # a model of its own
        ],
    )
    def test_releases_of_one_product_share_its_name(self, canonical, product):
        assert offering_names.product_name(canonical) == product

    def test_makers_are_read_only_from_families_whose_maker_is_not_in_doubt(self):
        assert offering_names.maker_of("llama-3-3-nemotron-super-49b") == ("nvidia", "Nemotron")
        assert offering_names.maker_of("deepseek-r1-distill-llama-70b")[0] == "deepseek"
        assert offering_names.maker_of("mythomax-l2-13b") == (None, "")
        assert offering_names.is_family_word("claude") and not offering_names.is_family_word("claude-opus-5")

    @pytest.fixture
    def makers(self, lab):
        meta = make_org("meta", name="Meta", country="US")
        make_org("together-ai", name="Together AI", country="US")
        make_org("fireworks-ai", name="Fireworks AI", country="US")
        make_model("llama-4-maverick", org=meta, name="Llama 4 Maverick")
        return lab

    def test_a_model_served_by_open_weight_hosts_is_made_once_with_every_price(self, makers):
        data = price_map(
            {
                "together_ai/Qwen/Qwen3-Coder-30B-A3B-Instruct": chat("together_ai", 1.5e-07, 6e-07),
                "fireworks_ai/accounts/fireworks/models/qwen3-coder-30b-a3b-instruct": chat(
                    "fireworks_ai", 1.5e-07, 6e-07
                ),
            }
        )
        make_org("alibaba", name="Alibaba", country="CN")
        report = run_import(data)
        assert report.ok and report.run.flagged == 0, report.lines()
        model = FoundationModel.objects.get(slug="qwen3-coder-30b-a3b")
        assert model.name == "Qwen3-Coder-30B-A3B" and model.access == "open-weights" and model.modality == "code"
        assert [org.slug for org in model.organizations.all()] == ["alibaba"]
        assert model.confidence == "estimated" and model.release_date is None and "Release date unknown" in model.notes
        assert set(model.prices.values_list("provider__slug", flat=True)) == {"together-ai", "fireworks-ai"}
        assert list(model.sources.values_list("url", flat=True)) == [SOURCE_URL]
        again = run_import(data, dry_run=True)
        assert counts(again)[:4] == (0, 0, 3, 0)  # the source and both prices, matched to the model now

    def test_a_closed_family_is_never_open_weights_and_a_snapshot_dates_it(self, makers):
        make_org("anthropic", name="Anthropic", country="US")
        # Billed by a host that serves open weights, yet Claude's weights are not published.
        key = "fireworks_ai/accounts/fireworks/models/claude-opus-9-20260501"
        report = run_import(price_map({key: chat("fireworks_ai", 5e-06, 2.5e-05)}))
        assert report.ok and report.run.flagged == 0
        model = FoundationModel.objects.get(slug="claude-opus-9")
        assert (model.access, model.release_date, model.family) == ("api", datetime.date(2026, 5, 1), "Claude")
        assert "earliest snapshot date" in model.notes

    def test_a_name_too_long_for_a_slug_waits_for_a_curator_and_never_touches_another_model(self, makers):
        before = set(FoundationModel.objects.values_list("slug", "name"))
        key = "gpt-4o-" + "x" * 200  # cut to 80 characters, a slug could be an existing model's
        report = run_import(price_map({key: chat("openai", 1e-06, 2e-06)}))
        assert report.ok and report.run.flagged == 1
        assert set(FoundationModel.objects.values_list("slug", "name")) == before

    @pytest.mark.parametrize(
        "key",
        [
            "together_ai/meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",  # a size the catalog's row omits
            "together_ai/meta-llama/llama",  # a family, not a model
            "together_ai/meta-llama/llama4maverick",  # the catalog's model, spelt without a hyphen
            "together_ai/Gryphe/MythoMax-L2-13b",  # no maker we can name
        ],
    )
    def test_what_might_be_a_known_model_or_has_no_named_maker_waits_for_a_curator(self, makers, key):
        before = FoundationModel.objects.count()
        report = run_import(price_map({key: chat("together_ai", 2e-07, 6e-07)}))
        assert report.ok and report.run.flagged == 1 and FoundationModel.objects.count() == before
