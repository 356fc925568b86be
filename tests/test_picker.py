"""The searchable picker: its search endpoint, and a widget whose HTML holds only the rows chosen."""

import json

import pytest
from django import forms
from django.utils import translation

from catalog.models import FoundationModel, Hardware
from catalog.views.pick import MAX_QUERY, PICK_LIMIT
from catalog.widgets import PickerChoiceField, PickerMultipleChoiceField
from tests.factories import make_hardware, make_model, make_org

pytestmark = pytest.mark.django_db


def pick(client, kind, q, **extra):
    return client.get(f"/pick/{kind}/", {"q": q}, HTTP_HOST="127.0.0.1", **extra)


@pytest.fixture
def llamas():
    lab = make_org("meta", name="Meta")
    for slug, name in [
        ("code-llama-7b", "Code Llama 7B"),
        ("llama-3-70b", "Llama 3 70B"),
        ("tinyllama", "TinyLlama"),
        ("llama-2-7b", "Llama 2 7B"),
        ("other", "Falcon 40B"),
    ]:
        make_model(slug, org=lab, name=name, parameters=7 * 10**9)


def test_prefix_matches_come_first_then_word_starts_then_the_rest(client, llamas):
    found = pick(client, "models", "lla").json()
    assert [row["label"] for row in found] == ["Llama 2 7B", "Llama 3 70B", "Code Llama 7B", "TinyLlama"]
    assert found[0] == {"value": "llama-2-7b", "label": "Llama 2 7B"}


def test_at_most_the_limit(client):
    lab = make_org("lab", name="Lab")
    for number in range(PICK_LIMIT + 5):
        make_model(f"model-{number:02}", org=lab, name=f"Model {number:02}")
    assert len(pick(client, "models", "model").json()) == PICK_LIMIT


def test_names_are_data_not_markup_and_like_wildcards_are_literal(client):
    make_model("xss", name='<img src=x onerror="alert(1)">')
    make_model("plain", name="Plain")
    response = pick(client, "models", "<img")
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == [{"value": "xss", "label": '<img src=x onerror="alert(1)">'}]
    assert pick(client, "models", "%").json() == [] and pick(client, "models", "_").json() == []


def test_unknown_kind_is_a_404_and_a_long_q_a_400(client):
    assert pick(client, "users", "a").status_code == 404
    response = pick(client, "models", "x" * (MAX_QUERY + 1))
    assert response.status_code == 400 and "error" in response.json()
    assert pick(client, "models", "").json() == []
    # PostgreSQL refuses a NUL in a string literal: refused before it reaches the database, on any backend.
    assert pick(client, "models", "gpt\x00").status_code == 400


def test_kinds_hold_their_own_rows(client):
    vendor = make_org("chipco", name="ChipCo")
    make_org("chip-lab", name="Chip Lab")  # designs nothing
    make_hardware("chip-npu", vendor=vendor, name="Chip NPU", kind="npu")
    make_hardware("chip-cpu", vendor=vendor, name="Chip CPU", kind="cpu")
    assert [row["value"] for row in pick(client, "vendors", "chip").json()] == ["chipco"]
    assert [row["value"] for row in pick(client, "accelerators", "chip").json()] == ["chip-npu"]
    assert {row["value"] for row in pick(client, "hardware", "chip").json()} == {"chip-npu", "chip-cpu"}


def test_labels_follow_the_page_language(client):
    make_org("naver", name="NAVER", name_ko="네이버")
    assert pick(client, "organizations", "nav").json()[0]["label"] == "NAVER"
    assert client.get("/ko/pick/organizations/", {"q": "nav"}).json()[0]["label"] == "네이버"


class PickForm(forms.Form):
    models = PickerMultipleChoiceField(kind="models", queryset=FoundationModel.objects.all(), required=False)
    chip = PickerChoiceField(kind="hardware", queryset=Hardware.objects.all(), required=False)


class TestWidget:
    @pytest.fixture
    def rows(self):
        for number in range(30):
            make_model(f"m-{number:02}", name=f"Model {number:02}")
        make_hardware("h100", name="H100")

    def test_renders_only_the_chosen_rows(self, rows):
        with translation.override("en"):
            html = str(PickForm({"models": ["m-03", "m-17"]}))
        assert "<option" not in html
        assert "Model 03" in html and "Model 17" in html and "Model 04" not in html
        assert 'data-picker-url="/pick/models/"' in html and 'value="m-03, m-17"' in html

    def test_an_empty_picker_lists_nothing(self, rows):
        html = str(PickForm())
        assert "Model 0" not in html and 'data-picker-chosen="[]"' in html

    def test_reads_repeated_values_commas_and_names(self, rows):
        from django.http import QueryDict

        form = PickForm(QueryDict("models=m-01&models=m-02,%20Model%2003&chip=H100"))
        assert form.is_valid(), form.errors
        assert sorted(model.slug for model in form.cleaned_data["models"]) == ["m-01", "m-02", "m-03"]
        assert form.cleaned_data["chip"].slug == "h100"

    def test_an_unknown_name_is_a_form_error_kept_in_the_box(self, rows):
        form = PickForm({"models": "m-01, no such model"})
        assert not form.is_valid() and "models" in form.errors
        assert "no such model" in str(form["models"])

    def test_the_script_is_the_form_s_media(self):
        assert "catalog/picker.js" in str(PickForm().media)
