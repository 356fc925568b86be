"""Reading the catalog through /api/v1/: every endpoint, every filter, price history, derived figures, CSV."""

import pytest
from django.urls import reverse

from catalog.models import (
    Application,
    CloudPrice,
    Concept,
    Evaluation,
    EvaluationScore,
    FoundationModel,
    Hardware,
    Organization,
    PricePoint,
    Source,
    TrainingRun,
)
from tests.api_helpers import csv_rows, results, slugs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]

LIST_ENDPOINTS = [
    ("organizations", "slug", "openai"),
    ("models", "slug", "gpt-3"),
    ("hardware", "slug", "nvidia-h100"),
    ("training-runs", "slug", "gpt-3-training"),
    ("prices", "api_model_id", "davinci"),
    ("cloud-prices", "instance_type", "p5.48xlarge"),
    ("applications", "slug", "chatgpt"),
    ("concepts", "slug", "moores-law"),
    ("sources", "url", "https://example.org/datasheet"),
    ("evaluations", "slug", "mmlu"),
    ("evaluation-scores", "score", "43.90"),
]
TABLES = {
    "organizations": Organization,
    "models": FoundationModel,
    "hardware": Hardware,
    "training-runs": TrainingRun,
    "prices": PricePoint,
    "cloud-prices": CloudPrice,
    "applications": Application,
    "concepts": Concept,
    "sources": Source,
    "evaluations": Evaluation,
    "evaluation-scores": EvaluationScore,
}


@pytest.mark.parametrize(("endpoint", "key", "expected"), LIST_ENDPOINTS)
def test_every_list_endpoint_returns_its_rows_and_each_row_links_to_its_detail(api, endpoint, key, expected):
    rows = results(api.get(f"/api/v1/{endpoint}/"))
    assert len(rows) == TABLES[endpoint].objects.count() > 0  # every row of the table, none twice
    assert expected in [row[key] for row in rows]
    for row in rows:
        # A source's ``url`` is the document it names, so its detail is addressed by id.
        detail = api.get(f"/api/v1/sources/{row['id']}/" if endpoint == "sources" else row["url"])
        assert detail.status_code == 200
        assert detail.json()[key] == row[key]
        assert detail.json()["id" if endpoint == "sources" else "url"] == row["id" if endpoint == "sources" else "url"]


def test_api_root_lists_every_collection(api):
    root = api.get("/api/v1/").json()
    assert set(root) == {endpoint for endpoint, _, _ in LIST_ENDPOINTS} | {"benchmarks"}  # test_benchmark_api


def test_unknown_slug_is_404(api):
    assert api.get("/api/v1/models/no-such-model/").status_code == 404


def test_related_rows_are_summaries_with_links(api):
    model = api.get("/api/v1/models/gpt-3/").json()
    assert model["organizations"] == [
        {"slug": "openai", "name": "OpenAI", "url": "http://testserver/api/v1/organizations/openai/"}
    ]
    assert model["sources"][0]["url"] == "https://example.org/datasheet"
    assert model["confidence"] == "reported"


def test_model_detail_shows_training_runs_and_only_current_prices(api):
    model = api.get("/api/v1/models/gpt-3/").json()
    assert [run["slug"] for run in model["training_runs"]] == ["gpt-3-training"]
    assert model["training_runs"][0]["hardware"]["slug"] == "nvidia-h100"
    assert [(price["input_per_mtok"], price["effective_to"]) for price in model["current_prices"]] == [
        ("20.000000", None)
    ]
    assert model["price_history"].endswith("/api/v1/models/gpt-3/prices/")


def test_model_price_history_is_every_period_oldest_first(api):
    history = results(api.get("/api/v1/models/gpt-3/prices/"))
    assert [(p["effective_from"], p["effective_to"], p["input_per_mtok"]) for p in history] == [
        ("2021-01-01", "2022-09-01", "60.000000"),
        ("2022-09-01", None, "20.000000"),
    ]
    assert [p["is_current"] for p in history] == [False, True]


def test_price_carries_blended_price_at_three_input_to_one_output(api):
    price = results(api.get("/api/v1/prices/", {"model": "gpt-3", "current": "true"}))[0]
    # (3 x 20 + 60) / 4
    assert price["blended_per_mtok"] == "30.000000"


@pytest.mark.parametrize(
    ("as_of", "expected_input"),
    [
        ("2020-12-31", []),  # before the first period
        ("2021-01-01", ["60.000000"]),  # effective_from is inclusive
        ("2022-08-31", ["60.000000"]),
        ("2022-09-01", ["20.000000"]),  # effective_to is exclusive: the new price has taken over
        ("2030-01-01", ["20.000000"]),  # an open end is still in force
    ],
)
def test_as_of_returns_the_price_in_force_on_that_date(api, as_of, expected_input):
    rows = results(api.get("/api/v1/prices/", {"as_of": as_of, "api_model_id": "davinci"}))
    assert [row["input_per_mtok"] for row in rows] == expected_input


def test_as_of_must_be_a_date(api):
    response = api.get("/api/v1/prices/", {"as_of": "last tuesday"})
    assert response.status_code == 400
    assert "as_of" in response.json()


def test_current_false_lists_only_past_prices(api):
    rows = results(api.get("/api/v1/prices/", {"current": "false"}))
    assert [row["effective_to"] for row in rows] == ["2022-09-01"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"organization": "naver"}, ["hyperclova-x"]),
        ({"organization": ["naver", "openai"]}, ["gpt-4o", "hyperclova-x", "gpt-3"]),
        ({"country": "kr"}, ["hyperclova-x"]),
        ({"released_after": "2023-01-01"}, ["gpt-4o", "hyperclova-x"]),
        ({"released_before": "2023-08-24"}, ["hyperclova-x", "gpt-3"]),
        ({"parameters_min": 100_000_000_000}, ["gpt-3"]),
        ({"parameters_max": 100_000_000_000}, ["hyperclova-x"]),
        ({"access": "hosted"}, ["hyperclova-x"]),
        ({"modality": "multimodal"}, ["gpt-4o"]),
        ({"architecture": "decoder", "family": "gpt"}, ["gpt-4o", "gpt-3"]),
        ({"search": "few-shot"}, ["gpt-3"]),
        ({"search": "clova x"}, ["hyperclova-x"]),
        ({"search": "네이버"}, []),  # an organization's name is not the model's
        ({"ordering": "parameters"}, ["hyperclova-x", "gpt-3", "gpt-4o"]),  # unknown last
        ({"ordering": "-parameters"}, ["gpt-3", "hyperclova-x", "gpt-4o"]),  # unknown last, descending too
    ],
)
def test_model_filters(api, params, expected):
    assert slugs(api.get("/api/v1/models/", params)) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"vendor": "furiosaai"}, ["furiosa-rngd"]),
        ({"kind": "npu"}, ["furiosa-rngd"]),
        ({"use": "inference"}, ["furiosa-rngd"]),
        ({"release_year_min": 2022, "release_year_max": 2023}, ["nvidia-h100"]),
        ({"min_bf16_flops": 300e12}, ["nvidia-a100", "nvidia-h100"]),
        ({"min_memory_bytes": 60 * 10**9}, ["nvidia-a100", "nvidia-h100"]),
        ({"min_memory_bandwidth": 3e12}, ["nvidia-h100"]),
        ({"search": "nvidia"}, ["nvidia-a100", "nvidia-h100"]),
        ({"ordering": "-bf16_flops_per_watt"}, ["nvidia-h100", "nvidia-a100", "furiosa-rngd"]),
    ],
)
def test_hardware_filters(api, params, expected):
    assert slugs(api.get("/api/v1/hardware/", params)) == expected


@pytest.mark.parametrize(
    ("params", "expected_ids"),
    [
        ({"model": "gpt-4o"}, ["gpt-4o"]),
        ({"provider": "openai"}, ["davinci", "davinci", "gpt-4o"]),
        ({"currency": "USD", "effective_after": "2022-01-01"}, ["davinci", "gpt-4o"]),
        ({"currency": "KRW"}, []),
    ],
)
def test_price_filters(api, params, expected_ids):
    assert [row["api_model_id"] for row in results(api.get("/api/v1/prices/", params))] == expected_ids


@pytest.mark.parametrize(
    ("endpoint", "params", "expected"),
    [
        ("organizations", {"country": "KR"}, ["furiosaai", "naver"]),
        ("organizations", {"role": "chip-designer"}, ["furiosaai", "nvidia"]),
        ("training-runs", {"hardware": "nvidia-h100"}, ["gpt-3-training"]),
        ("training-runs", {"organization": "naver"}, []),
        ("applications", {"foundation_model": "gpt-4o"}, ["chatgpt"]),
        ("concepts", {"search": "무어"}, ["moores-law"]),
    ],
)
def test_other_filters(api, endpoint, params, expected):
    assert slugs(api.get(f"/api/v1/{endpoint}/", params)) == expected


@pytest.mark.parametrize(
    "params",
    [
        {"ordering": "description"},  # not in the allow-list
        {"organization": "no-such-lab"},
        {"access": "leaked"},
        {"parameters_min": "many"},
        {"released_after": "2023-13-45"},
    ],
)
def test_bad_filter_values_are_400_with_the_field_named(api, params):
    response = api.get("/api/v1/models/", params)
    assert response.status_code == 400
    assert set(response.json()) & {name.removesuffix("_min").removesuffix("_after") for name in params}


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/hardware/?release_year_min=0", "release_year"),  # was a ValueError deep in the year lookup
        ("/api/v1/hardware/?release_year_max=10000&format=csv", "release_year"),
        ("/api/v1/stats/vendors/?release_year_max=-5", "release_year"),
        ("/api/v1/models/?parameters_max=99999999999999999999999", "parameters"),  # past 64 bits: SQLite overflow
    ],
)
def test_out_of_range_numbers_in_filters_are_400(api, url, field):
    response = api.get(url)
    assert response.status_code == 400
    assert field in response.content.decode()


BY_NAME = ["furiosaai", "naver", "nvidia", "openai"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        (",", BY_NAME),
        ("name,", BY_NAME),
        (",-name", BY_NAME[::-1]),
        ("-country,,name", ["nvidia", "openai", "furiosaai", "naver"]),
    ],
)
def test_empty_items_in_ordering_are_ignored(api, ordering, expected):
    assert slugs(api.get("/api/v1/organizations/", {"ordering": ordering})) == expected


@pytest.mark.parametrize("url", ["/api/v1/hardware/a.b/", "/api/v1/nothing/", "/api/v1/models/gpt-3/prices/x/"])
def test_unknown_api_paths_answer_json_404(api, url):
    response = api.get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_unknown_website_paths_stay_html(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_cloud_price_per_accelerator_hour(api):
    row = results(api.get("/api/v1/cloud-prices/", {"hardware": "nvidia-h100", "as_of": "2024-01-01"}))[0]
    assert row["price_per_hour"] == "98.3200"
    assert row["price_per_accelerator_hour"] == "12.2900"


def test_derived_hardware_figures(api):
    h100 = api.get("/api/v1/hardware/nvidia-h100/").json()
    assert h100["bf16_flops_per_watt"] == pytest.approx(989.4e12 / 700)
    assert h100["bf16_flops_per_mm2"] == pytest.approx(989.4e12 / 814)
    assert h100["ridge_point"] == pytest.approx(989.4e12 / 3.35e12)
    assert h100["bytes_per_flop"] == pytest.approx(3.35e12 / 989.4e12)
    rngd = api.get("/api/v1/hardware/furiosa-rngd/").json()
    assert rngd["bf16_flops_per_watt"] is None  # TDP recorded as 0: no ratio rather than a division error
    assert rngd["bf16_flops_per_mm2"] is None  # die area unknown


def test_compare_sets_chips_side_by_side_in_the_order_asked(api):
    response = api.get("/api/v1/compare/hardware/", {"slugs": "furiosa-rngd,nvidia-h100"})
    assert response.status_code == 200
    body = response.json()
    assert [chip["slug"] for chip in body["hardware"]] == ["furiosa-rngd", "nvidia-h100"]
    metrics = {metric["field"]: metric for metric in body["metrics"]}
    bf16 = metrics["bf16_flops"]
    assert [value["value"] for value in bf16["values"]] == [256e12, 989.4e12]
    assert bf16["unit"] == "FLOP/s" and not bf16["derived"]
    assert bf16["values"][0]["sources"][0]["url"] == "https://example.org/datasheet"
    ridge = metrics["ridge_point"]
    assert ridge["derived"] and ridge["values"][1]["derived_from"] == ["bf16_flops", "memory_bandwidth"]
    assert ridge["values"][1]["confidence"] == "derived"
    assert ridge["values"][1]["value"] == pytest.approx(989.4e12 / 3.35e12)
    # The cheapest on-demand price per chip-hour in force, from the cloud price row (its sources, derived).
    chip_hour = metrics["price_per_accelerator_hour"]
    assert [value["value"] for value in chip_hour["values"]] == [None, pytest.approx(98.32 / 8)]
    assert chip_hour["values"][1]["confidence"] == "derived"
    assert chip_hour["values"][1]["derived_from"] == ["price_per_hour", "accelerators_per_instance"]
    assert chip_hour["values"][1]["sources"][0]["url"] == "https://example.org/datasheet"


@pytest.mark.parametrize(
    "slugs_param",
    ["nvidia-h100", "nvidia-h100,nvidia-h100", "nvidia-h100,no-such-chip", ",".join(["x"] * 3 + ["a", "b", "c", "d"])],
)
def test_compare_needs_two_to_six_known_chips(api, slugs_param):
    response = api.get("/api/v1/compare/hardware/", {"slugs": slugs_param})
    assert response.status_code == 400
    assert "slugs" in response.json()


def test_compare_without_slugs_is_400(api):
    response = api.get("/api/v1/compare/hardware/")
    assert response.status_code == 400
    assert "slugs" in response.json()


def test_vendor_stats_name_the_record_holders(api):
    rows = {row["vendor"]["slug"]: row for row in results(api.get("/api/v1/stats/vendors/"))}
    nvidia = rows["nvidia"]
    assert nvidia["chips"] == 2
    assert nvidia["best_bf16_flops"] == 989.4e12
    assert nvidia["best_bf16_flops_hardware"]["slug"] == "nvidia-h100"
    assert nvidia["best_bf16_flops_per_watt_hardware"]["slug"] == "nvidia-h100"
    assert nvidia["largest_memory_bytes"] == 80 * 10**9
    assert nvidia["latest_release_date"] == "2022-09-20"
    furiosa = rows["furiosaai"]
    assert furiosa["best_bf16_flops_per_watt"] is None and furiosa["best_bf16_flops_per_watt_hardware"] is None


def test_vendor_stats_honour_hardware_filters(api):
    rows = results(api.get("/api/v1/stats/vendors/", {"kind": "npu"}))
    assert [row["vendor"]["slug"] for row in rows] == ["furiosaai"]


class TestPagination:
    @pytest.fixture
    def many_sources(self):
        from catalog.models import Source

        Source.objects.bulk_create(Source(url=f"https://example.org/{n}", title=f"Doc {n}") for n in range(250))

    @pytest.mark.parametrize(("asked", "served"), [(None, 50), (10, 10), (200, 200), (1000, 200), ("x", 50)])
    def test_page_size_defaults_to_50_and_clamps_at_200(self, api, many_sources, asked, served):
        params = {} if asked is None else {"page_size": asked}
        body = api.get("/api/v1/sources/", params).json()
        assert body["count"] == 251
        assert len(body["results"]) == served

    def test_page_past_the_end_is_404(self, api):
        assert api.get("/api/v1/sources/", {"page": 99}).status_code == 404


class TestCSV:
    def test_filtered_list_as_csv_streams_the_whole_selection(self, api):
        response = api.get("/api/v1/models/", {"format": "csv", "organization": "openai", "page_size": 1})
        assert response.streaming
        assert 'filename="foundationmodel.csv"' in response["Content-Disposition"]
        rows = csv_rows(response)
        assert [row["slug"] for row in rows] == ["gpt-4o", "gpt-3"]  # not paginated
        assert rows[1]["organizations"] == "openai"
        assert rows[1]["sources"] == "https://example.org/datasheet"
        assert rows[1]["parameters"] == "175000000000"

    def test_accept_header_selects_csv(self, api):
        response = api.get("/api/v1/hardware/", {"vendor": "nvidia"}, HTTP_ACCEPT="text/csv")
        rows = csv_rows(response)
        assert [row["slug"] for row in rows] == ["nvidia-a100", "nvidia-h100"]
        assert float(rows[1]["ridge_point (FLOP per byte)"]) == pytest.approx(989.4e12 / 3.35e12)

    def test_price_history_as_csv(self, api):
        rows = csv_rows(api.get("/api/v1/models/gpt-3/prices/", {"format": "csv"}))
        assert [(row["effective_from"], row["effective_to"]) for row in rows] == [
            ("2021-01-01", "2022-09-01"),
            ("2022-09-01", ""),
        ]

    def test_a_bad_filter_in_csv_is_still_a_400(self, api):
        response = api.get("/api/v1/models/", {"format": "csv", "access": "leaked"})
        assert response.status_code == 400
        assert "access" in response.content.decode()

    def test_csv_of_vendor_stats_flattens_record_holders_to_slugs(self, api):
        rows = csv_rows(api.get("/api/v1/stats/vendors/", HTTP_ACCEPT="text/csv"))
        nvidia = next(row for row in rows if row["vendor"] == "nvidia")
        assert nvidia["best_bf16_flops_hardware"] == "nvidia-h100"


def test_reverse_names_match_the_documented_urls():
    assert reverse("api:foundationmodel-prices", kwargs={"slug": "gpt-3"}) == "/api/v1/models/gpt-3/prices/"
    assert reverse("api:compare-hardware") == "/api/v1/compare/hardware/"
