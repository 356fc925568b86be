"""The serving-fit matrix answers a real question by default: big models on enough chips, families by prefix,
every model reachable, bounded work per page."""

import re
from decimal import Decimal

import pytest

from catalog import estimating
from catalog.filters import FoundationModelFilterSet, series_pattern
from catalog.models import CloudPrice, FoundationModel
from tests.factories import make_hardware, make_model, make_org

pytestmark = pytest.mark.django_db

LLAMA_3_70B = {
    "parameters": 70 * 10**9,
    "layers": 80,
    "hidden_size": 8192,
    "attention_heads": 64,
    "kv_heads": 8,
    "context_length": 8192,
    "access": "open-weights",
}


@pytest.fixture
def fleet():
    meta = make_org("meta", name="Meta")
    nvidia = make_org("nvidia", name="NVIDIA")
    cloud = make_org("cloud", name="Cloud", is_cloud_provider=True)
    models = {
        slug: make_model(slug, org=meta, name=name, family="Llama", **LLAMA_3_70B)
        for slug, name in [
            ("llama-3-70b", "Llama 3 70B"),
            ("llama-3-1-70b", "Llama 3.1 70B"),
            ("llama-3-2-90b", "Llama-3.2-90B-Vision"),
            ("llama-3-3-70b", "Llama 3.3 70B"),
            ("llama-30b", "Llama 30B"),
            ("code-llama-70b", "Code Llama 70B"),
        ]
    }
    h100 = make_hardware(
        "h100", vendor=nvidia, name="H100", kind="gpu", memory_bytes=80e9, memory_bandwidth=3.35e12, bf16_flops=989e12
    )
    CloudPrice.objects.create(
        provider=cloud,
        hardware=h100,
        instance_type="8x",
        accelerators_per_instance=8,
        price_per_hour=Decimal("32"),
        effective_from="2024-01-01",
    )
    return {"models": models, "h100": h100}


def names(queryset):
    return sorted(model.name for model in queryset)


class TestFamilyPrefix:
    def test_llama_3_finds_3_3_1_3_2_3_3_not_30b_nor_code_llama(self, fleet):
        found = estimating.matrix_models(family="Llama 3")
        assert names(found) == ["Llama 3 70B", "Llama 3.1 70B", "Llama 3.3 70B", "Llama-3.2-90B-Vision"]

    def test_a_family_name_still_finds_the_whole_family(self, fleet):
        assert len(estimating.matrix_models(family="llama")) == 6

    def test_the_pattern_is_plain_text_not_a_regular_expression(self, fleet):
        assert series_pattern("  ") is None
        assert names(estimating.matrix_models(family="Llama.*")) == []
        assert names(estimating.matrix_models(family="(")) == []

    def test_the_api_family_filter_is_unchanged(self, fleet):
        exact = FoundationModelFilterSet({"family": "Llama 3"}, queryset=FoundationModel.objects.all())
        assert list(exact.qs) == []


def matrix(client, query=""):
    response = client.get(f"/estimate/?{query}", HTTP_HOST="127.0.0.1")
    return response, response.content.decode()


class TestDefaults:
    def test_a_70b_model_is_served_on_the_fewest_chips_not_refused(self, client, fleet):
        response, html = matrix(client, "family=Llama+3+70B")
        assert response.status_code == 200
        assert "est-nofit" not in html
        # 140 GB of BF16 weights and its KV cache on 80 GB chips: two of them, named in the cell and its link.
        assert '<span class="est-chips">2×</span>' in html
        assert 'href="/estimate/llama-3-70b/h100/?precision=bf16&amp;chips=2' in html
        assert "the fewest chips that hold each model" in html

    def test_one_chip_asked_for_is_one_chip(self, client, fleet):
        _response, html = matrix(client, "family=Llama+3+70B&chips=1")
        assert "✗ 2" in html and "est-chips" not in html

    def test_llama_3_70b_at_batch_32_has_a_cost_per_million_output_tokens(self, client, fleet):
        _response, html = matrix(client, "family=Llama+3+70B&batch=32&metric=cost")
        cell = re.search(r'href="/estimate/llama-3-70b/h100/\?([^"]+)">(.*?)</a>', html)
        query, shown = cell[1].replace("&amp;", "&"), re.sub(r"<[^>]+>", "", cell[2])
        assert "batch=32" in query and "chips=4" in query  # its KV cache at batch 32 needs a third and fourth chip
        assert re.fullmatch(r"4× \$[\d.]+", shown.strip())
        pair = client.get(f"/estimate/llama-3-70b/h100/?{query}", HTTP_HOST="127.0.0.1").content.decode()
        assert "USD per 1M output tokens" in pair or "per 1M output tokens" in pair


class TestEveryModelReachable:
    @pytest.fixture
    def many(self):
        lab = make_org("lab", name="Lab")
        make_hardware("npu", vendor=make_org("npu-co", name="NPU Co"), memory_bytes=64e9, memory_bandwidth=1e12)
        for number in range(estimating.MAX_MATRIX_MODELS + 5):
            make_model(
                f"m-{number:02}",
                org=lab,
                name=f"Model {number:02}",
                parameters=10**9,
                access="open-weights",
                release_date=f"2024-01-{1 + number % 28:02}",
            )

    def test_pages_reach_the_oldest_models(self, client, many, django_assert_max_num_queries):
        _response, first = matrix(client)
        assert first.count('<th scope="row">') == estimating.MAX_MATRIX_MODELS and 'rel="next"' in first
        with django_assert_max_num_queries(12):
            _response, second = matrix(client, "page=2")
        assert second.count('<th scope="row">') == 5

    def test_models_picked_by_name_are_the_rows(self, client, many):
        last = f"m-{estimating.MAX_MATRIX_MODELS + 4:02}"  # on the second page unless picked
        _response, html = matrix(client, f"models={last}&models=Model+03")
        rows = re.findall(r'<th scope="row"><a href="/models/([^/]+)/"', html)
        assert sorted(rows) == ["m-03", last]

    def test_the_form_lists_no_option_per_model_or_vendor(self, client, many):
        _response, html = matrix(client)
        form = html[html.index('<form method="get"') : html.index("</form>")]
        assert "Model 0" not in form and "NPU Co" not in form
