"""Importing data: validated, previewed, all or nothing, logged; the fixture and CSV formats; export round trip."""

import io
import json

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from catalog.importers.service import import_file
from catalog.models import FoundationModel, Hardware, ImportRun, Organization, PricePoint, Source, UnmatchedOffering

pytestmark = pytest.mark.django_db

SOURCE = {"model": "catalog.source", "fields": {"url": "https://example.org/spec", "title": "Spec"}}
ORG = {
    "model": "catalog.organization",
    "fields": {"slug": "furiosaai", "name": "FuriosaAI", "country": "KR", "sources": [["https://example.org/spec"]]},
}
CHIP = {
    "model": "catalog.hardware",
    "fields": {
        "slug": "furiosa-rngd",
        "name": "RNGD",
        "vendor": ["furiosaai"],
        "kind": "npu",
        "bf16_flops": 2.56e14,
        "sources": [["https://example.org/spec"]],
    },
}


def fixture(*entries):
    return json.dumps(list(entries)).encode()


def run_import(data, *, fmt="fixture", dry_run=False, file_name="data.json", table=""):
    return import_file(fmt=fmt, data=data, file_name=file_name, dry_run=dry_run, table=table)


class TestFixtures:
    def test_creates_rows_with_relations_by_natural_key(self):
        report = run_import(fixture(SOURCE, ORG, CHIP))
        assert report.ok and report.run.status == "applied"
        assert (report.run.created, report.run.updated, report.run.unchanged) == (3, 0, 0)
        chip = Hardware.objects.get(slug="furiosa-rngd")
        assert chip.vendor.slug == "furiosaai" and chip.sources.count() == 1

    def test_importing_the_same_file_again_changes_nothing(self):
        run_import(fixture(SOURCE, ORG, CHIP))
        again = run_import(fixture(SOURCE, ORG, CHIP))
        assert (again.run.created, again.run.updated, again.run.unchanged) == (0, 0, 3)

    def test_an_update_reports_each_field_before_and_after(self):
        run_import(fixture(SOURCE, ORG, CHIP))
        changed = {**CHIP, "fields": {**CHIP["fields"], "bf16_flops": 5.12e14, "tdp_watts": 180.0}}
        report = run_import(fixture(changed), dry_run=True)
        (row,) = report.run.rows
        assert row["action"] == "update"
        assert row["changes"] == {"bf16_flops": [2.56e14, 5.12e14], "tdp_watts": [None, 180.0]}
        assert Hardware.objects.get(slug="furiosa-rngd").bf16_flops == 2.56e14  # a dry run writes nothing
        assert report.run.status == "preview"

    def test_yaml_with_line_numbers_and_forward_references(self):
        yaml_text = """
- model: catalog.source
  fields: {url: "https://example.org/spec", title: Spec}
- model: catalog.organization
  fields: {slug: naver-cloud, name: NAVER Cloud, country: KR, parent: [naver], sources: [["https://example.org/spec"]]}
- model: catalog.organization
  fields: {slug: naver, name: NAVER, country: KR, sources: [["https://example.org/spec"]]}
"""
        report = run_import(yaml_text.encode(), file_name="orgs.yaml")
        assert report.ok, report.lines()
        assert Organization.objects.get(slug="naver-cloud").parent.slug == "naver"
        assert [row["where"] for row in report.run.rows] == ["line 2", "line 4", "line 6"]

    def test_dry_run_meets_the_database_constraints_too(self):
        run_import(fixture(SOURCE, ORG))
        model = {
            "model": "catalog.foundationmodel",
            "fields": {"slug": "m", "name": "M", "access": "api", "organizations": [["furiosaai"]]},
        }
        price = {
            "model": "catalog.pricepoint",
            "fields": {
                "model": ["m"],
                "provider": ["furiosaai"],
                "api_model_id": "m-1",
                "input_per_mtok": "1.00",
                "output_per_mtok": "2.00",
                "effective_from": "2024-01-01",
            },
        }
        overlapping = {**price, "fields": {**price["fields"], "effective_from": "2024-06-01"}}
        report = run_import(fixture(model, price, overlapping), dry_run=True)
        assert not report.ok
        assert any("overlaps" in message for row in report.run.rows for message in row["messages"])
        assert not FoundationModel.objects.filter(slug="m").exists()


def messages_of(report):
    return report.run.file_error + " ".join(message for row in report.run.rows for message in row["messages"])


@pytest.mark.parametrize(
    ("data", "file_name", "expected"),
    [
        (b'[{"model": "catalog.source", "fields": {', "x.json", "cannot be parsed"),
        (b"- model: catalog.source\n  fields: {url: [unclosed\n", "x.yaml", "cannot be parsed"),
        ("[]".encode("utf-16"), "x.json", "not UTF-8"),
        (b"<?xml version='1.0'?><django-objects/>", "x.xml", "XML fixtures are not accepted"),
        (fixture({"model": "auth.user", "fields": {"username": "eve"}}), "x.json", "unknown model 'auth.user'"),
        (fixture({"model": "catalog.nothing", "fields": {}}), "x.json", "unknown model"),
        (fixture(SOURCE, CHIP), "x.json", "no organization 'furiosaai' (a dangling reference)"),
        (fixture(SOURCE, SOURCE), "x.json", "duplicate of entry 1"),
        (fixture(SOURCE, {**ORG, "fields": {**ORG["fields"], "founded": 1200}}), "x.json", "founded"),
        (fixture(SOURCE, {**ORG, "fields": {**ORG["fields"], "motto": "x"}}), "x.json", "motto: no such field"),
        (fixture(SOURCE, {**ORG, "fields": {**ORG["fields"], "country": "Korea"}}), "x.json", "ISO 3166-1"),
        (fixture(), "x.json", "holds no records"),
        (b'{"model": "catalog.source"}', "x.json", "not a list"),
    ],
)
def test_bad_input_says_why_and_writes_nothing(data, file_name, expected):
    report = run_import(data, file_name=file_name)
    assert not report.ok
    assert expected in messages_of(report)
    assert report.run.status == "refused"
    assert not Source.objects.exists() and not Organization.objects.exists()


def test_one_bad_row_means_nothing_is_written():
    bad_chip = {**CHIP, "fields": {**CHIP["fields"], "bf16_flops": -1.0}}
    report = run_import(fixture(SOURCE, ORG, bad_chip))
    assert report.run.created == 2 and report.run.errors == 1
    assert not Organization.objects.exists()


def test_file_over_the_size_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 100
    report = run_import(fixture(SOURCE, ORG, CHIP))
    assert "the limit is 100" in report.run.file_error
    assert not Source.objects.exists()


class TestCSV:
    def test_one_table_with_relations_by_slug(self):
        run_import(fixture(SOURCE, ORG))
        data = b"slug,name,vendor,kind,bf16_flops,tdp_watts,sources\nrngd,RNGD,furiosaai,npu,2.56e14,,https://example.org/spec\n"
        report = run_import(data, fmt="csv", table="catalog.hardware", file_name="chips.csv")
        assert report.ok, report.lines()
        chip = Hardware.objects.get(slug="rngd")
        assert chip.tdp_watts is None and chip.bf16_flops == 2.56e14

    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            (b"slug,name,colour\nx,X,red\n", "Unknown column(s) for hardware: colour"),
            (b"name,kind\nX,npu\n", "Missing column(s) that identify a row: slug"),
            (b"", "The CSV is empty"),
            (b"slug,name\nx,X,extra\n", "more cells than columns"),
        ],
    )
    def test_bad_csv(self, data, expected):
        report = run_import(data, fmt="csv", table="catalog.hardware", file_name="chips.csv")
        assert expected in report.run.file_error

    def test_csv_needs_a_table(self):
        assert "Pick the table" in run_import(b"slug\nx\n", fmt="csv").run.file_error

    def test_row_errors_name_the_line_and_field(self):
        run_import(fixture(SOURCE, ORG))
        data = b"slug,name,vendor,kind,tdp_watts,sources\nok,OK,furiosaai,npu,100,https://example.org/spec\nbad,Bad,furiosaai,npu,hot,https://example.org/spec\n"
        report = run_import(data, fmt="csv", table="catalog.hardware", file_name="chips.csv")
        (error,) = [row for row in report.run.rows if row["action"] == "error"]
        assert error["where"] == "line 3"
        assert any(message.startswith("tdp_watts:") for message in error["messages"])
        assert not Hardware.objects.exists()


class TestCommands:
    def test_import_data_prints_the_report_and_fails_on_errors(self, tmp_path):
        path = tmp_path / "bad.json"
        path.write_bytes(fixture(SOURCE, CHIP))
        out = io.StringIO()
        with pytest.raises(CommandError, match="not imported"):
            call_command("import_data", str(path), "--format", "fixture", stdout=out)
        assert "dangling reference" in out.getvalue()

    def test_dry_run_flag(self, tmp_path):
        path = tmp_path / "ok.json"
        path.write_bytes(fixture(SOURCE, ORG, CHIP))
        out = io.StringIO()
        call_command("import_data", str(path), "--format", "fixture", "--dry-run", stdout=out)
        assert "3 to create" in out.getvalue() and "dry run" in out.getvalue()
        assert not Hardware.objects.exists()

    @pytest.mark.parametrize("fmt", ["json", "yaml"])
    def test_export_then_import_changes_nothing(self, tmp_path, catalog, fmt):
        path = tmp_path / f"export.{fmt}"
        call_command("export_data", str(path), "--format", fmt)
        before = {model: model.objects.count() for model in (Source, Organization, Hardware, PricePoint)}
        report = run_import(path.read_bytes(), file_name=path.name)
        assert report.ok, report.lines()[:5]
        assert report.run.created == report.run.updated == 0
        assert report.run.unchanged > 10
        assert before == {model: model.objects.count() for model in before}

    def test_csv_export_imports_back_unchanged(self, tmp_path, catalog):
        path = tmp_path / "hardware.csv"
        call_command("export_data", str(path), "--format", "csv", "--table", "catalog.hardware")
        report = run_import(path.read_bytes(), fmt="csv", table="catalog.hardware", file_name=path.name)
        assert report.ok, report.lines()[:5]
        assert (report.run.created, report.run.updated, report.run.unchanged) == (0, 0, Hardware.objects.count())
        assert report.run.unchanged == 3  # the catalog fixture's chips


def test_every_run_is_logged_with_its_hash():
    data = fixture(SOURCE)
    run_import(data, dry_run=True)
    run_import(b"not json", file_name="x.json")
    import hashlib

    runs = list(ImportRun.objects.order_by("created_at"))
    assert [run.status for run in runs] == ["preview", "refused"]
    assert runs[0].sha256 == hashlib.sha256(data).hexdigest()


class TestAdmin:
    def upload(self, client, data, fmt="fixture", table=""):
        upload = SimpleUploadedFile("data.json", data, content_type="application/json")
        return client.post("/admin/catalog/importrun/import/", {"file": upload, "format": fmt, "table": table})

    def test_upload_preview_confirm_and_find_it_in_the_log(self, admin_client):
        response = self.upload(admin_client, fixture(SOURCE, ORG, CHIP))
        assert response.status_code == 200
        html = response.content.decode()
        assert "3 to create" in html and "Confirm" in html
        assert not Hardware.objects.exists()
        preview = ImportRun.objects.get(status="preview")
        response = admin_client.post(f"/admin/catalog/importrun/{preview.pk}/confirm/")
        assert response.status_code == 302
        assert Hardware.objects.filter(slug="furiosa-rngd").exists()
        applied = ImportRun.objects.get(status="applied")
        assert response["Location"].endswith(f"/admin/catalog/importrun/{applied.pk}/change/")
        page = admin_client.get(response["Location"]).content.decode()
        assert "furiosa-rngd" in page and "create" in page
        assert admin_client.post(f"/admin/catalog/importrun/{preview.pk}/confirm/").status_code == 404  # used up

    def test_a_bad_file_is_a_form_error_not_a_500(self, admin_client):
        response = self.upload(admin_client, b"[{")
        assert response.status_code == 400
        assert "cannot be parsed" in response.content.decode()
        assert "Confirm" not in response.content.decode()

    def test_an_upload_over_the_limit_is_refused_unread(self, admin_client, settings):
        settings.IMPORT_MAX_BYTES = 10
        response = self.upload(admin_client, fixture(SOURCE))
        assert response.status_code == 400
        assert "the limit is 10" in response.content.decode()
        assert not ImportRun.objects.exists()

    def test_offerings_awaiting_review_are_listed(self, admin_client):
        run = ImportRun.objects.create(
            file_name="prices.json", sha256="0" * 64, size_bytes=2, format="litellm", status="applied", flagged=2
        )
        for provider, api_model_id in [("together_ai", "mystery-70b"), ("deepinfra", "gpt-9")]:
            UnmatchedOffering.objects.create(
                import_run=run,
                provider_name=provider,
                api_model_id=api_model_id,
                input_per_mtok="0.90",
                effective_from="2024-01-01",
            )
        response = admin_client.get("/admin/catalog/unmatchedoffering/")
        assert response.status_code == 200
        assert [str(offering) for offering in response.context["cl"].result_list] == [
            "deepinfra: gpt-9 (standard)",
            "together_ai: mystery-70b (standard)",
        ]
        html = response.content.decode()
        assert "mystery-70b" in html and "together_ai" in html and "0.900000" in html

    def test_the_page_is_linked_from_the_admin_index(self, admin_client):
        assert "/admin/catalog/importrun/add/" in admin_client.get("/admin/").content.decode()
        assert admin_client.get("/admin/catalog/importrun/add/")["Location"].endswith("/import/")

    def test_non_staff_and_staff_without_permission_are_refused(self, client):
        client.force_login(User.objects.create_user("reader"))
        refused = client.get("/admin/catalog/importrun/import/")
        assert refused.status_code == 302
        assert refused["Location"].startswith("/admin/login/")
        client.force_login(User.objects.create_user("intern", is_staff=True))
        assert client.get("/admin/catalog/importrun/import/").status_code == 403
        intern = User.objects.get(username="intern")
        intern.user_permissions.add(Permission.objects.get(codename="add_importrun"))
        allowed = client.get("/admin/catalog/importrun/import/")
        assert allowed.status_code == 200
        assert 'type="file" name="file"' in allowed.content.decode()  # the upload form itself
