"""Each rule has one home, and every caller gives the same answer: the page and the API, a list in memory and
the database, the matrix and the model list."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog import estimating, forms
from catalog.models import CloudPrice, Hardware, PricePoint
from catalog.views.chart_pages import default_roofline_chips
from tests.factories import make_hardware, make_model, make_org, make_price
from tests.test_settings import settings_in_a_fresh_process

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------- a chip-hour's price


@pytest.fixture
def priced_chip():
    cloud = make_org("cloudco")
    chip = make_hardware("gpu-x", memory_bytes=80e9, memory_bandwidth=3e12, bf16_flops=1e15)
    for region, price in (("us-east-1", "4.00"), ("eu-west-1", "3.00")):
        CloudPrice.objects.create(
            provider=cloud,
            hardware=chip,
            instance_type="x8",
            region=region,
            pricing_kind="on-demand",
            accelerators_per_instance=8,
            price_per_hour=Decimal(price) * 8,
            effective_from=datetime.date(2024, 1, 1),
        )
    return chip


def test_a_chip_hour_costs_the_price_given_else_the_cheapest_cloud_offering(priced_chip):
    cheapest = estimating.chip_hour_price(priced_chip)
    assert cheapest.usd == Decimal("3.00") and cheapest.offering.region == "eu-west-1" and not cheapest.given
    given = estimating.chip_hour_price(priced_chip, Decimal("1.5"))
    assert (given.usd, given.offering, given.given) == (Decimal("1.5"), None, True)
    assert estimating.chip_hour_price(None).usd is None
    assert estimating.chip_hour_price(make_hardware("unpriced")).usd is None


def test_the_serving_page_and_the_api_price_and_estimate_alike(client, priced_chip):
    make_model("lm-7b", parameters=7_000_000_000, layers=32, hidden_size=4096, attention_heads=32)
    for query, cloud_region in (("", "eu-west-1"), ("&price=2.5", None)):
        api_query = query.replace("price=", "price_per_chip_hour=")
        body = client.get(reverse("api:estimate-serving") + f"?model=lm-7b&hardware=gpu-x{api_query}").json()
        page = client.get(f"/estimate/lm-7b/gpu-x/?precision=bf16{query}")
        pair = page.context["pair"]
        assert body["price_per_chip_hour"] == pytest.approx(float(pair.price.usd))
        assert body["usd_per_m_output"] == pytest.approx(pair.estimate.usd_per_m_output)
        assert body["decode_tokens_per_s"] == pytest.approx(pair.estimate.decode_tokens_per_s)
        assert (body["cloud_price"] or {}).get("region") == cloud_region
        assert (pair.cloud_price.region if pair.cloud_price else None) == cloud_region


def test_the_training_page_and_the_api_estimate_alike(client, priced_chip):
    make_model("lm-7b", parameters=7_000_000_000, training_tokens=2_000_000_000_000)
    for query in ("", "&price=2.5"):
        api_query = query.replace("price=", "price_per_chip_hour=")
        body = client.get(reverse("api:estimate-training") + f"?model=lm-7b&hardware=gpu-x&chips=64{api_query}").json()
        page = client.get(f"/estimate/training/?model=lm-7b&hardware=gpu-x&chips=64{query}")
        estimate = page.context["estimate"]
        assert body["flop"] == pytest.approx(estimate.flop) == pytest.approx(6 * 7e9 * 2e12)
        assert body["cost_usd"] == pytest.approx(estimate.cost_usd)
        assert body["price_per_chip_hour"] == pytest.approx(2.5 if query else 3.0)


# -------------------------------------------------------------------------- in force on a date


def test_a_period_in_memory_and_in_the_database_agree_on_what_is_in_force():
    model, provider = make_model("lm"), make_org("host")
    make_price(model, provider, "2024-01-01", "2024-03-01", input_price="3.00")
    make_price(model, provider, "2024-03-01", "2024-06-01", input_price="2.00")
    make_price(model, provider, "2024-09-01", input_price="1.00")
    prices = list(PricePoint.objects.all())
    for day in ("2023-12-31", "2024-01-01", "2024-02-29", "2024-03-01", "2024-06-01", "2024-08-31", "2030-01-01"):
        date = datetime.date.fromisoformat(day)
        in_memory = {price.pk for price in prices if price.in_force_on(date)}
        assert in_memory == set(PricePoint.objects.in_force_on(date).values_list("pk", flat=True)), day
        assert len(in_memory) <= 1


# ---------------------------------------------------------------------------- chips with a roofline


def test_the_roofline_picker_and_its_defaults_offer_exactly_the_chips_with_a_roofline():
    vendor = make_org("chipco")
    make_hardware("full", vendor=vendor, bf16_flops=1e15, memory_bandwidth=3e12)
    make_hardware("no-bandwidth", vendor=vendor, bf16_flops=1e15)
    make_hardware("zero-bandwidth", vendor=vendor, bf16_flops=1e15, memory_bandwidth=0)
    make_hardware("fp32-only", vendor=vendor, fp32_flops=1e14, memory_bandwidth=1e12)
    make_hardware("old-cpu", vendor=vendor, kind="cpu", bf16_flops=1e12, memory_bandwidth=1e11)
    offered = {chip.slug for chip in forms.RooflineForm().fields["chips"].queryset}
    assert offered == {"full"}
    assert [chip.slug for chip in default_roofline_chips()] == ["full"]
    # The benchmark's bounds accept an FP32 peak too, through the same method.
    both = Hardware.objects.with_roofline(("fp32_flops", "bf16_flops"))
    assert set(both.values_list("slug", flat=True)) == {"full", "fp32-only"}


# ------------------------------------------------------------------------ the matrix's model filter


def test_the_matrix_filters_models_by_series_as_the_model_list_and_the_api_do(client):
    """One prefix rule (a family or the words a name starts with) for the matrix, the lists and the API."""
    make_model("llama-a", family="Llama", parameters=10**9, access="open-weights")
    make_model("llama-b", family="Llama 2", parameters=10**9, access="open-weights")
    make_model("closed", family="Llama", parameters=10**9, access="api")
    make_model("llama-30b", name="Llama 30B", family="Llama 30", parameters=10**9, access="open-weights")
    for series in ("llama", "Llama 2", "lla", "Llama 3"):
        matrix = {model.slug for model in estimating.matrix_models(family=series, access="open-weights")}
        api = client.get(reverse("api:foundationmodel-list"), {"series": series, "access": "open-weights"}).json()
        assert matrix == {row["slug"] for row in api["results"]}, series
    assert {model.slug for model in estimating.matrix_models(family="Llama 2")} == {"llama-b"}
    assert {model.slug for model in estimating.matrix_models(family="llama")} == {
        "llama-a",
        "llama-b",
        "closed",
        "llama-30b",
    }
    assert not estimating.matrix_models(family="lla").exists()  # a word's start, not any part of it
    assert not estimating.matrix_models(family="Llama 3").exists()  # "Llama 30" is not Llama 3


def test_the_matrix_filters_chips_by_vendor_and_kind_as_the_hardware_list_does(client):
    vendor, other = make_org("chipco"), make_org("otherco")
    make_hardware("npu-a", vendor=vendor, memory_bytes=1e9)
    make_hardware("gpu-a", vendor=vendor, kind="gpu", memory_bytes=1e9)
    make_hardware("npu-b", vendor=other, memory_bytes=1e9)
    assert {chip.slug for chip in estimating.matrix_chips(vendor=vendor, kind="npu")} == {"npu-a"}
    assert {chip.slug for chip in estimating.matrix_chips(kind="gpu")} == {"gpu-a"}
    api = client.get(reverse("api:hardware-list"), {"vendor": "chipco", "kind": "npu"}).json()
    assert [row["slug"] for row in api["results"]] == ["npu-a"]


# ------------------------------------------------------------------------------------------- which client


def test_the_api_throttle_and_the_login_lockout_count_the_same_client(settings, rf):
    from catalog.api.throttles import AnonymousRateThrottle
    from landscape.client_ip import client_ip

    for proxies, expected in ((0, "10.0.0.1"), (1, "203.0.113.9"), (2, "198.51.100.7")):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
        request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.7, 203.0.113.9")
        assert client_ip(request) == AnonymousRateThrottle().get_ident(request) == expected, proxies


def test_the_proxy_count_reaches_the_api_throttles():
    result = settings_in_a_fresh_process(
        "settings.REST_FRAMEWORK['NUM_PROXIES']", DJANGO_DEBUG="true", DJANGO_TRUSTED_PROXY_COUNT="2"
    )
    assert result.stdout.strip() == "2", result.stderr[-500:]


# ------------------------------------------------------------------------------ a chip's figures, once


def test_every_registered_figure_shows_in_the_api_the_csv_and_the_detail_page(client):
    from django.utils.text import capfirst

    from catalog.figures import FIGURES, HARDWARE_FIGURES, csv_header

    values = {name: 7.0 for name, unit in HARDWARE_FIGURES.items() if unit != "choice"}
    make_hardware("full-chip", memory_type="HBM3", **values)
    api = client.get(reverse("api:hardware-detail", args=["full-chip"])).json()
    assert set(HARDWARE_FIGURES) <= set(api)
    csv = b"".join(client.get(reverse("api:hardware-list"), {"format": "csv"}).streaming_content).decode()
    header = csv.splitlines()[0].split(",")
    assert {csv_header(name) for name in HARDWARE_FIGURES} <= set(header)
    html = client.get(reverse("catalog:hardware-detail", args=["full-chip"])).content.decode()
    for name in HARDWARE_FIGURES:
        assert f">{capfirst(FIGURES[name].label)}<" in html, name


def test_the_matrix_shows_curated_chips_before_the_outside_layers():
    vendor = make_org("aaa-chips")
    make_hardware("outside-chip", vendor=vendor, memory_bytes=1e9, origin="epoch.csv, line 2")
    make_hardware("curated-chip", vendor=make_org("zzz-chips"), memory_bytes=1e9)
    assert [chip.slug for chip in estimating.matrix_chips()] == ["curated-chip", "outside-chip"]
