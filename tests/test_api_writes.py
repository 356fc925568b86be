"""Writing through the API: who may, and bad payloads are 400s (or 409) that change nothing."""

import pytest
from django.contrib.auth.models import Permission, User
from rest_framework.authtoken.models import Token

from catalog.models import FoundationModel, Hardware, PricePoint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]

NEW_MODEL = {
    "slug": "exaone-3",
    "name": "EXAONE 3.0",
    "organizations": ["naver"],
    "access": "open-weights",
    "parameters": 7_800_000_000,
    "sources": ["https://example.org/datasheet"],
}


def token_for(username, *, staff, permissions=()):
    user = User.objects.create_user(username, password="irrelevant-password-123", is_staff=staff)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return f"Token {Token.objects.create(user=user).key}"


@pytest.fixture
def editor(api):
    """A staff member allowed to add, change and delete models, prices and hardware."""
    actions = ("add", "change", "delete")
    tables = ("foundationmodel", "pricepoint", "hardware")
    api.credentials(
        HTTP_AUTHORIZATION=token_for("editor", staff=True, permissions=[f"{a}_{t}" for a in actions for t in tables])
    )
    return api


class TestWhoMayWrite:
    def test_anonymous_write_is_401_and_says_how_to_authenticate(self, api):
        response = api.post("/api/v1/models/", NEW_MODEL, format="json")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert not FoundationModel.objects.filter(slug="exaone-3").exists()

    def test_a_bad_token_is_401(self, api):
        api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
        assert api.get("/api/v1/models/").status_code == 401

    def test_authenticated_non_staff_cannot_write(self, api):
        api.credentials(HTTP_AUTHORIZATION=token_for("reader", staff=False, permissions=["add_foundationmodel"]))
        assert api.post("/api/v1/models/", NEW_MODEL, format="json").status_code == 403
        assert api.get("/api/v1/models/").status_code == 200  # but may read

    def test_staff_without_the_model_permission_cannot_write(self, api):
        api.credentials(HTTP_AUTHORIZATION=token_for("intern", staff=True))
        assert api.post("/api/v1/models/", NEW_MODEL, format="json").status_code == 403
        assert api.delete("/api/v1/models/gpt-4o/").status_code == 403

    def test_staff_with_permission_creates_and_gets_the_full_row_back(self, editor):
        response = editor.post("/api/v1/models/", NEW_MODEL, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["organizations"][0]["slug"] == "naver"
        assert body["current_prices"] == [] and body["training_runs"] == []
        assert FoundationModel.objects.get(slug="exaone-3").sources.count() == 1

    def test_session_login_needs_the_csrf_token(self, catalog):
        from rest_framework.test import APIClient

        browser = APIClient(enforce_csrf_checks=True)
        user = User.objects.create_superuser("admin", password="irrelevant-password-123")
        browser.force_login(user)
        response = browser.post("/api/v1/models/", NEW_MODEL, format="json")
        assert response.status_code == 403
        assert "CSRF" in response.json()["detail"]

    def test_staff_patch_and_the_derived_figures_follow(self, editor):
        response = editor.patch("/api/v1/hardware/nvidia-h100/", {"tdp_watts": 350.0}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["bf16_flops_per_watt"] == pytest.approx(989.4e12 / 350)

    @pytest.mark.parametrize("field", ["bf16_flops", "tdp_watts", "die_area_mm2", "memory_bandwidth"])
    def test_a_divisor_below_one_is_refused_and_changes_nothing(self, editor, field):
        """2.2e-311 FLOP/s would make a ratio overflow to infinity: a 500 on JSON, an error on PostgreSQL."""
        before = editor.get("/api/v1/hardware/nvidia-h100/").json()
        response = editor.patch("/api/v1/hardware/nvidia-h100/", {field: 2.225073858507e-311}, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert editor.get("/api/v1/hardware/nvidia-h100/").json() == before
        assert editor.patch("/api/v1/hardware/nvidia-h100/", {field: 0}, format="json").status_code == 200


class TestBadPayloads:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"organizations": []}, "organizations"),
            ({"organizations": ["no-such-lab"]}, "organizations"),
            ({"sources": []}, "sources"),
            ({"sources": ["https://example.org/never-recorded"]}, "sources"),
            ({"parameters": -1}, "parameters"),
            ({"access": "leaked"}, "access"),
            ({"slug": "gpt-3"}, "slug"),  # taken
            ({"slug": "not a slug"}, "slug"),
            ({"active_parameters": 10**12}, "active_parameters"),  # more active than total
            ({"release_date": "2024-02-30"}, "release_date"),
            ({"name": "x\x00y"}, "name"),
        ],
    )
    def test_invalid_model_is_400_naming_the_field_and_nothing_is_saved(self, editor, change, field):
        response = editor.post("/api/v1/models/", {**NEW_MODEL, **change}, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert FoundationModel.objects.count() == 3

    def test_malformed_json_is_400(self, editor):
        response = editor.generic("POST", "/api/v1/models/", '{"slug": ', content_type="application/json")
        assert response.status_code == 400

    def test_overlapping_price_period_is_400_not_an_integrity_error(self, editor):
        payload = {
            "model": "gpt-3",
            "provider": "openai",
            "api_model_id": "davinci",
            "input_per_mtok": "10.00",
            "output_per_mtok": "10.00",
            "effective_from": "2022-06-01",  # inside the 2021-01-01 .. 2022-09-01 period
            "sources": ["https://example.org/datasheet"],
        }
        response = editor.post("/api/v1/prices/", payload, format="json")
        assert response.status_code == 400
        assert "overlaps" in str(response.json())
        assert PricePoint.objects.filter(api_model_id="davinci").count() == 2

    def test_period_ending_before_it_starts_is_400(self, editor, catalog):
        price = catalog["prices"]["davinci-new"]
        response = editor.patch(f"/api/v1/prices/{price.pk}/", {"effective_to": "2020-01-01"}, format="json")
        assert response.status_code == 400
        assert "effective_to" in response.json()
        price.refresh_from_db()
        assert price.effective_to is None

    def test_model_cannot_become_its_own_ancestor(self, editor, catalog):
        catalog["models"]["gpt-4o"].base_model = catalog["models"]["gpt-3"]
        catalog["models"]["gpt-4o"].save()
        response = editor.patch("/api/v1/models/gpt-3/", {"base_model": "gpt-4o"}, format="json")
        assert response.status_code == 400
        assert "base_model" in response.json()

    def test_deleting_a_row_others_refer_to_is_409_and_deletes_nothing(self, editor):
        response = editor.delete("/api/v1/hardware/nvidia-h100/")  # a training run and a cloud price use it
        assert response.status_code == 409
        assert "refer" in response.json()["detail"]
        assert Hardware.objects.filter(slug="nvidia-h100").exists()

    def test_deleting_an_unreferenced_row_works(self, editor):
        assert editor.delete("/api/v1/hardware/nvidia-a100/").status_code == 204
        assert not Hardware.objects.filter(slug="nvidia-a100").exists()
