"""Hostile files for every import format, and hostile text in every CSV the app writes.

Each file here once cost a worker seconds and gigabytes or answered a 500: an alias bomb, nesting past
the recursion limit, a NUL byte PostgreSQL refuses, a list where one value belongs, a spreadsheet formula.
"""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from catalog.csv_safety import safe_cell, unquoted_cell
from catalog.importers.fixture import FormatError, parse_fixture
from catalog.importers.records import MAX_DEPTH
from catalog.importers.service import import_file
from catalog.models import Concept, FoundationModel, Hardware, ImportRun, Organization
from tests.api_helpers import csv_rows
from tests.factories import make_hardware, make_model, make_org

pytestmark = pytest.mark.django_db

CONCEPT = {
    "slug": "moores-law",
    "name_en": "Moore's law",
    "name_ko": "무어의 법칙",
    "summary_en": "x",
    "summary_ko": "x",
}
HOSTILE_NAMES = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\t=1+1"]


def run_import(data, *, fmt="fixture", file_name="data.json", table="", dry_run=True):
    return import_file(fmt=fmt, data=data, file_name=file_name, dry_run=dry_run, table=table)


def concept_fixture(**fields):
    return json.dumps([{"model": "catalog.concept", "fields": {**CONCEPT, **fields}}]).encode()


def messages(report):
    return [message for row in report.run.rows for message in row["messages"]]


def alias_bomb(levels=8):
    """The tester's file: each level an anchored list of nine aliases of the one before (9**8 leaves)."""
    parts = ["&a0 [" + ", ".join(["lol"] * 9) + "]"]
    parts += [f"&a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]" for level in range(1, levels)]
    fields = "slug: x, name_en: y, name_ko: y, summary_ko: y, summary_en: [" + ", ".join(parts) + "]"
    return ("- model: catalog.concept\n  fields: {" + fields + "}\n").encode()


class TestYamlAliases:
    def test_an_alias_bomb_is_refused_before_anything_expands(self):
        data = alias_bomb()
        assert len(data) < 600
        report = run_import(data, file_name="bomb.yaml")
        assert report.run.status == "refused" and report.run.rows == []
        assert report.run.file_error.startswith("line 2: YAML aliases (*a0) are not accepted")

    def test_even_one_harmless_alias_is_refused_with_its_line(self):
        text = "- model: catalog.concept\n  fields:\n    slug: &s moore\n    name_en: *s\n"
        with pytest.raises(FormatError, match=r"^line 4: YAML aliases \(\*s\)"):
            parse_fixture(text.encode(), "concepts.yaml")

    def test_a_merge_key_is_an_alias_too(self):
        text = "- &base {model: catalog.concept, fields: {slug: a}}\n- {<<: *base}\n"
        with pytest.raises(FormatError, match=r"^line 2: YAML aliases"):
            parse_fixture(text.encode(), "concepts.yaml")


class TestShapes:
    @pytest.mark.parametrize(
        ("value", "kind"),
        [(["a", "b"], "a list"), ({"a": "b"}, "a mapping"), ([[["deep"]]], "a list of lists")],
    )
    def test_a_plain_field_takes_one_value(self, value, kind):
        report = run_import(concept_fixture(name_en=value))
        assert report.run.status == "refused"
        assert f"name_en: expected a single value, got {kind}" in messages(report)
        assert not Concept.objects.exists()

    def test_yaml_bytes_are_not_a_single_value_either(self):
        fields = "slug: x, name_en: !!binary aGk=, name_ko: x, summary_en: x, summary_ko: x"
        text = "- model: catalog.concept\n  fields: {" + fields + "}\n"
        report = run_import(text.encode(), file_name="x.yaml")
        assert report.run.status == "refused"
        assert "name_en: expected a single value, got bytes" in messages(report)

    def test_a_relation_takes_a_natural_key_and_many_take_a_list_of_them(self):
        make_org("furiosaai")
        chip = {"slug": "rngd", "name": "RNGD", "kind": "npu", "vendor": [["furiosaai"]], "sources": {"a": 1}}
        report = run_import(json.dumps([{"model": "catalog.hardware", "fields": chip}]).encode())
        found = messages(report)
        assert "vendor: expected a natural key (a value or a short list of values), got a list of lists" in found
        assert "sources: expected a list of natural keys, got a mapping" in found

    def test_a_json_field_takes_json_values_only(self):
        make_org("furiosaai")
        text = (
            "- model: catalog.hardware\n  fields: {slug: rngd, name: RNGD, vendor: furiosaai, aliases: [2024-01-02]}\n"
        )
        report = run_import(text.encode(), file_name="x.yaml")
        assert report.run.status == "refused"
        assert "aliases: holds a date, which is not a JSON value" in messages(report)

    def test_nan_is_not_a_number_the_catalog_stores(self):
        make_org("furiosaai")
        chip = {"slug": "rngd", "name": "RNGD", "kind": "npu", "vendor": "furiosaai", "bf16_flops": float("nan")}
        report = run_import(json.dumps([{"model": "catalog.hardware", "fields": chip}]).encode())
        assert report.run.status == "refused"
        assert "bf16_flops: NaN or infinity is not a number the catalog stores" in messages(report)
        assert not Hardware.objects.exists()

    def test_the_well_formed_bundle_shape_still_imports(self):
        report = run_import(concept_fixture(related=[], sources=[]), dry_run=False)
        assert report.ok, report.lines()
        assert Concept.objects.get().name_en == "Moore's law"


class TestDeepNesting:
    @pytest.mark.parametrize(
        ("data", "file_name", "expected"),
        [
            (b"[" * 5000 + b"]" * 5000, "deep.json", "The JSON is nested too deeply"),
            (b"[" * 5000, "deep.json", "The JSON is nested too deeply"),
            (
                b"- " + b"[" * 5000 + b"]" * 5000,
                "deep.yaml",
                f"line 1: the YAML is nested more than {MAX_DEPTH} levels",
            ),
            (b"- " * 3000 + b"x\n", "deep.yaml", f"line 1: the YAML is nested more than {MAX_DEPTH} levels deep"),
            (b"- " + b"{a: " * 3000 + b"x" + b"}" * 3000, "deep.yaml", "line 1: the YAML is nested more than"),
        ],
    )
    def test_a_fixture_nested_past_the_recursion_limit_is_a_format_error(self, data, file_name, expected):
        report = run_import(data, file_name=file_name)
        assert report.run.status == "refused" and expected in report.run.file_error

    def test_json_nesting_under_the_recursion_limit_is_refused_too(self):
        report = run_import(concept_fixture(name_en=json.loads("[" * 500 + "]" * 500)))
        assert f"The JSON is nested more than {MAX_DEPTH} levels deep" in report.run.file_error

    def test_a_deep_json_cell_in_a_csv_is_a_row_error(self):
        data = "slug,name,aliases\nh100,H100," + "[" * 5000 + "\n"
        report = run_import(data.encode(), fmt="csv", table="catalog.hardware", file_name="h.csv")
        assert report.run.status == "refused"
        assert any(message.startswith("aliases: not valid JSON") for message in messages(report))

    def test_a_litellm_map_nested_past_the_limit_is_a_format_error(self):
        report = run_import(b'{"a": ' * 5000, fmt="litellm", file_name="prices.json")
        assert "The JSON is nested too deeply" in report.run.file_error


EPOCH_HARDWARE = "Hardware name,Manufacturer,Release date\nNVIDIA H100,NVIDIA,2022-09-20\nA\x00B,NVIDIA,2022\n"


class TestNul:
    @pytest.mark.parametrize(
        ("data", "fmt", "table", "file_name"),
        [
            (b"slug,name,country\nacme,Acme,KR\nnul,N\x00L,KR\n", "csv", "catalog.organization", "o.csv"),
            (EPOCH_HARDWARE.encode(), "epoch-hardware", "", "hardware.csv"),
            (b'{"a": 1,\n"b": 2,\n"gpt-4o\x00": {}}', "litellm", "", "prices.json"),
            (b"- model: catalog.concept\n  fields: {slug: a}\n- {model: x\x00}\n", "fixture", "", "c.yaml"),
        ],
    )
    def test_a_nul_byte_is_a_format_error_naming_its_line(self, data, fmt, table, file_name):
        report = run_import(data, fmt=fmt, table=table, file_name=file_name, dry_run=False)
        assert report.run.file_error.startswith("line 3: the file holds a NUL character")
        assert ImportRun.objects.get().file_error == report.run.file_error  # stored, even in PostgreSQL

    def test_a_json_nul_escape_is_refused_with_its_line(self):
        data = b'[{"model": "catalog.concept",\n "fields": {"slug": "a", "name_en": "N\\u0000L"}}]'
        report = run_import(data, dry_run=False)
        assert report.run.file_error == (
            "line 2: the JSON text holds a NUL character (\\u0000), which no database text field can store."
        )

    def test_an_escaped_backslash_before_u0000_is_only_text(self):
        report = run_import(concept_fixture(name_en="C:\\u0000"), dry_run=False)
        assert report.ok, report.lines()
        assert Concept.objects.get().name_en == "C:\\u0000"

    def test_a_json_unpaired_surrogate_is_refused(self):
        report = run_import(b'[{"model": "catalog.concept", "fields": {"slug": "a", "name_en": "\\ud800"}}]')
        assert "holds an unpaired surrogate" in report.run.file_error

    def test_a_yaml_nul_escape_is_refused_with_its_line(self):
        text = '- model: catalog.concept\n  fields:\n    slug: a\n    name_en: "N\\0L"\n'
        report = run_import(text.encode(), file_name="c.yaml", dry_run=False)
        assert report.run.file_error.startswith("line 4: the YAML text holds a NUL character")

    def test_a_litellm_nul_escape_is_refused(self):
        data = b'{"gpt-4o\\u0000": {"litellm_provider": "openai", "mode": "chat"}}'
        report = run_import(data, fmt="litellm", file_name="prices.json", dry_run=False)
        assert report.run.file_error.startswith("line 1: the JSON text holds a NUL character")

    def test_a_nul_escape_in_a_csv_json_cell_is_a_row_error(self):
        make_org("nvidia")
        data = 'slug,name,kind,vendor,aliases\nh100,H100,gpu,nvidia,"[""H\\u0000""]"\n'
        report = run_import(data.encode(), fmt="csv", table="catalog.hardware", file_name="h.csv", dry_run=False)
        assert report.run.status == "refused"
        assert "aliases: holds a NUL character (\\u0000), which no database text field can store" in messages(report)
        assert not Hardware.objects.exists()


class TestCsvFormulas:
    @pytest.mark.parametrize(
        ("value", "written"),
        [
            ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(1)", "'@SUM(1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("'=1", "''=1"),  # a quote the file already had survives the round trip
            ("-1.5", "-1.5"),
            ("-3", "-3"),
            ("+1e-9", "+1e-9"),
            ("'-3", "'-3"),
            ("O'Brien", "O'Brien"),
            ("", ""),
            (-1.5, -1.5),
            (None, None),
        ],
    )
    def test_text_a_spreadsheet_would_run_is_quoted_and_reads_back(self, value, written):
        assert safe_cell(value) == written
        if isinstance(value, str):
            assert unquoted_cell(safe_cell(value)) == value

    def test_export_data_csv_neutralises_names_and_imports_back_unchanged(self, tmp_path):
        vendor = make_org("acme")
        for index, name in enumerate(HOSTILE_NAMES):
            make_hardware(f"chip-{index}", vendor=vendor, name=name)
        path = tmp_path / "hardware.csv"
        call_command("export_data", str(path), "--format", "csv", "--table", "catalog.hardware")
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        assert sorted(row["name"] for row in rows) == sorted("'" + name for name in HOSTILE_NAMES)

        report = run_import(path.read_bytes(), fmt="csv", table="catalog.hardware", file_name=path.name)
        assert report.ok and report.run.unchanged == len(HOSTILE_NAMES), report.lines()
        assert sorted(Hardware.objects.values_list("name", flat=True)) == sorted(HOSTILE_NAMES)

    def test_the_api_csv_neutralises_text_but_not_numbers(self, api):
        model = make_model("evil-lm", name=HOSTILE_NAMES[0], parameters=7_000_000_000)
        rows = csv_rows(api.get("/api/v1/models/", {"format": "csv"}))
        (row,) = [row for row in rows if row["slug"] == "evil-lm"]
        assert row["name"] == "'" + model.name
        assert row["parameters"] == "7000000000"

    def test_the_api_csv_of_one_row_is_neutralised_too(self, api):
        make_model("evil-lm", name=HOSTILE_NAMES[1])
        response = api.get("/api/v1/models/evil-lm/", {"format": "csv"})
        assert response.status_code == 200
        (row,) = csv_rows(response)
        assert row["name"] == "'" + HOSTILE_NAMES[1]

    def test_a_hostile_organization_name_from_an_import_is_exported_quoted(self, tmp_path):
        report = run_import(
            json.dumps(
                [{"model": "catalog.organization", "fields": {"slug": "evil", "name": "=1+1", "country": "US"}}]
            ).encode(),
            dry_run=False,
        )
        assert report.ok, report.lines()
        path = tmp_path / "orgs.csv"
        call_command("export_data", str(path), "--format", "csv", "--table", "catalog.organization")
        assert "'=1+1" in path.read_text(encoding="utf-8")
        assert Organization.objects.get(slug="evil").name == "=1+1"
        assert FoundationModel.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "fmt", "table"),
    [
        (b"[" * 5000 + b"]" * 5000, "fixture", ""),
        (alias_bomb(), "fixture", ""),
        (b"slug,name,country\nnul,N\x00L,KR\n", "csv", "catalog.organization"),
    ],
)
def test_the_admin_answers_a_hostile_file_with_a_400_naming_the_problem(admin_client, data, fmt, table):
    upload = SimpleUploadedFile("hostile.yaml" if fmt == "fixture" else "hostile.csv", data)
    response = admin_client.post("/admin/catalog/importrun/import/", {"file": upload, "format": fmt, "table": table})
    assert response.status_code == 400
    assert ImportRun.objects.get().status == "refused"
