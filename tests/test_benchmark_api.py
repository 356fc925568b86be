"""Benchmark runs through /api/v1/benchmarks/: light lists, full details with labelled estimates, filters, limits."""

import pytest
from django.test import override_settings

from catalog.benchmarking.store import record_run
from tests.api_helpers import results
from tests.benchmark_reports import benchmark_report
from tests.factories import make_hardware, make_org

pytestmark = pytest.mark.django_db

LOCAL_CACHE = override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})


@pytest.fixture
def runs():
    nano = record_run(report=benchmark_report("nano", started_at="2026-01-01T00:00:00+00:00"))
    micro = record_run(
        report=benchmark_report("micro", backends=("onnxruntime",), quick=False, started_at="2026-02-01T00:00:00+00:00")
    )
    return {"nano": nano, "micro": micro}


def test_list_is_newest_first_with_results_but_no_samples(api, runs):
    rows = results(api.get("/api/v1/benchmarks/"))
    assert [row["id"] for row in rows] == [runs["micro"].pk, runs["nano"].pk]
    nano = rows[1]
    assert nano["url"] == f"http://testserver/api/v1/benchmarks/{runs['nano'].pk}/"
    assert nano["preset"] == "nano" and nano["quick"] is True and nano["threads"] == 2
    assert nano["started_at"] == "2026-01-01T00:00:00Z"
    assert nano["machine"]["stream"]["read"] == nano["memory_bandwidth"]
    assert nano["skipped"][0]["reason"] == "PyTorch is not installed"
    assert [(r["backend"], r["prompt_tokens"]) for r in nano["results"]] == [
        ("numpy", 16),
        ("numpy", 64),
        ("onnxruntime", 16),
        ("onnxruntime", 64),
    ]
    assert all("samples" not in result for result in nano["results"])
    assert "catalog_estimates" not in nano


def test_detail_adds_samples_and_estimates_labelled_as_such(api, runs):
    make_hardware("h100", vendor=make_org("nvidia"), name="H100", fp32_flops=67e12, memory_bandwidth=3.35e12)
    body = api.get(f"/api/v1/benchmarks/{runs['nano'].pk}/").json()
    first = body["results"][0]
    assert set(first["samples"]) == {"ttft_s", "decode_s", "itl_s"}
    assert len(first["samples"]["itl_s"]) == first["repetitions"]
    estimates = body["catalog_estimates"]
    assert "roofline upper bounds from datasheet peaks, not measurements" in estimates["note"].lower()
    assert (estimates["prompt_tokens"], estimates["generated_tokens"], estimates["batch_size"]) == (64, 8, 1)
    assert [chip["slug"] for chip in estimates["hardware"]] == ["h100"]
    assert estimates["hardware"][0]["precision"] == "fp32"
    assert estimates["this_machine"]["decode_limited_by"] == "memory"
    assert {row["backend"] for row in estimates["measured"]} == {"numpy", "onnxruntime"}


def test_missing_run_is_404(api):
    assert api.get("/api/v1/benchmarks/999999/").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("preset=nano", ["nano"]),
        ("preset=MICRO", ["micro"]),
        ("quick=true", ["nano"]),
        ("quick=false", ["micro"]),
        ("backend=numpy", ["nano"]),
        ("backend=onnxruntime", ["micro", "nano"]),
        ("backend=torch", []),
        ("ordering=started_at", ["nano", "micro"]),
        ("search=synthetic", ["micro", "nano"]),
    ],
)
def test_filters(api, runs, query, expected):
    assert [row["preset"] for row in results(api.get(f"/api/v1/benchmarks/?{query}"))] == expected


def test_a_bad_filter_is_a_400(api, runs):
    assert api.get("/api/v1/benchmarks/?ordering=cpu_temperature").status_code == 400


def test_reads_are_public_and_nothing_can_be_written(api, admin_user, runs):
    api.force_authenticate(admin_user)
    url = f"/api/v1/benchmarks/{runs['nano'].pk}/"
    assert api.post("/api/v1/benchmarks/", {}).status_code == 405
    assert api.delete(url).status_code == 405
    assert api.patch(url, {"preset": "x"}).status_code == 405


def test_csv_is_not_offered(api, runs):
    assert api.get("/api/v1/benchmarks/?format=csv").status_code == 404


def test_listed_in_the_api_root(api):
    assert api.get("/api/v1/").json()["benchmarks"] == "http://testserver/api/v1/benchmarks/"


@LOCAL_CACHE
def test_list_queries_do_not_grow_with_runs(api, django_assert_max_num_queries):
    for day in range(1, 21):
        record_run(report=benchmark_report(started_at=f"2026-03-{day:02d}T00:00:00+00:00"))
    with django_assert_max_num_queries(3):  # count, runs, results
        assert len(results(api.get("/api/v1/benchmarks/?backend=numpy&page_size=200"))) == 20


@LOCAL_CACHE
def test_detail_queries_are_bounded(api, runs, django_assert_max_num_queries):
    vendor = make_org("vendor")
    for n in range(15):
        make_hardware(f"chip-{n}", vendor=vendor, bf16_flops=1e14 * (n + 1), memory_bandwidth=1e12)
    with django_assert_max_num_queries(3):  # run, results, chips with their vendors
        body = api.get(f"/api/v1/benchmarks/{runs['nano'].pk}/").json()
    assert len(body["catalog_estimates"]["hardware"]) == 15


def test_browsable_api_renders(admin_client, runs):
    for url in ["/api/v1/benchmarks/", f"/api/v1/benchmarks/{runs['nano'].pk}/"]:
        response = admin_client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html")
