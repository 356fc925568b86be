"""Epoch AI's hardware and notable-models tables: read by column name, matched to the catalog, idempotent."""

import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.importers.epoch import parse_hardware
from catalog.importers.service import import_file
from catalog.models import FoundationModel, Hardware, Organization, Source, TrainingRun

pytestmark = pytest.mark.django_db

HARDWARE_URL = "https://epoch.ai/data/machine-learning-hardware"
MODELS_URL = "https://epoch.ai/data/notable-ai-models"
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"

# A few rows in Epoch's shape: columns out of Epoch's order, one unknown column ("Fan noise (dB)"),
# Infinity in a derived column and in a figure, empty cells, a date with a time.
HARDWARE_HEADER = (
    "Hardware name,Manufacturer,Type,Notes,Release date,Release price (USD),"
    "Tensor-FP16/BF16 performance (FLOP/s),FP8 performance (FLOP/s),INT8 performance (OP/s),Memory (bytes),"
    "Memory bandwidth (byte/s),TDP (W),Foundry,Die Size (mm^2),Process size (nm),Transistors (millions),"
    "Link to datasheet,Energy efficiency,Fan noise (dB)\n"
)
H100 = (
    "NVIDIA H100 SXM5 80GB,NVIDIA,GPU,Epoch note on H100,2022-09-20,33600,989400000000000.0,1978900000000000.0,"
    ",80000000000,3350000000000.0,700,TSMC,814,5,80000,https://example.org/h100,1.4e12,40\n"
)
B300 = "NVIDIA B300 (Blackwell Ultra),NVIDIA,GPU,,2025-08-22,,,,157500000000000.0,,,,,,,,,Infinity,\n"
GAUDI = "Intel Habana Gaudi2,Intel,,,2022-05-10,,,,,,,,,,,,,,\n"
MLU = (
    "Cambricon MLU370-X8,Cambricon,,Price estimated from a reseller listing,2022-03-21 00:00:00+00:00,1500,"
    'Infinity,,256000000000000.0,48000000000,614400000000.0,250,"SMIC,TSMC",,7,39000,'
    "not a url; https://example.org/mlu370,Infinity,\n"
)
V100 = "NVIDIA Tesla V100 SXM2,NVIDIA,GPU,,2017-07-01,,,,,,,,,,,,,,\n"
UNKNOWN_VENDOR = "Acme X1,Acme Silicon,ASIC,,2024-01-01,,,,,,,,,,,,,,\n"


def hardware_csv(*rows):
    return (HARDWARE_HEADER + "".join(rows)).encode()


MODELS_HEADER = (
    "Model,Domain,Organization,Country (from Organization),Publication date,Link,Parameters,Parameters notes,"
    "Training compute (FLOP),Training compute notes,Training time (hours),Training hardware,Hardware quantity,"
    "Hardware utilization,Training compute cost (2023 USD),Confidence,Model accessibility,Frontier model,Mood\n"
)
GPT3 = (
    "GPT-3 175B (davinci),Language,OpenAI,United States of America,2020-05-28,https://arxiv.org/abs/2005.14165,"
    "175000000000,,3.14e+23,Epoch's compute note,,NVIDIA Tesla V100 DGXS 32 GB,10000,,,Confident,API access,,calm\n"
)
DOUBAO = (
    "Doubao-1.5-pro,Language,ByteDance,China,2025-01-22,https://team.doubao.com/,,Undisclosed,Infinity,,720,"
    "NVIDIA H100 SXM5 80GB,8000,0.4,12000000,Likely,Hosted access (no API),,\n"
)
JOINT = (
    '"Joint-LM","Language,Vision","Google DeepMind,Acme Global",'
    '"United States of America,Multinational",2024-03-01,,7000000000,,,,,"NVIDIA A100,NVIDIA H100 SXM5 80GB",,,,'
    "Speculative,Open weights (unrestricted),,\n"
)
RESNET = "ResNet-152,Vision,Microsoft,United States of America,2015-12-10,,60000000,,,,,,,,,Confident,,,\n"
OLD_LM = "NPLM,Language,University of Montreal,Canada,2003-02-01,,,,,,,,,,,Unknown,Unreleased,,\n"


def models_csv(*rows):
    return (MODELS_HEADER + "".join(rows)).encode()


def run_import(data, fmt, *, dry_run=False):
    return import_file(fmt=fmt, data=data, file_name="epoch.csv", dry_run=dry_run)


def row_for(report, key):
    return next(row for row in report.run.rows if row["key"] == key)


def all_messages(report):
    return report.run.file_error + " ".join(message for row in report.run.rows for message in row["messages"])


@pytest.fixture
def bundled():
    # The curated rows: the outside-data layer is what these imports make of them (bundle_outside_data).
    call_command("load_bundled_data", "--curated-only", verbosity=0)


class TestHardwareIntoAnEmptyCatalog:
    def test_creates_chips_vendors_and_the_epoch_source(self):
        report = run_import(hardware_csv(H100, MLU), "epoch-hardware")
        assert report.ok, report.lines()
        source = Source.objects.get(url=HARDWARE_URL)
        assert source.publisher == "Epoch AI" and "CC BY 4.0" in source.notes
        h100 = Hardware.objects.get(name="NVIDIA H100 SXM5 80GB")
        assert h100.slug == "nvidia-h100-sxm5-80gb" and h100.kind == "gpu"
        assert h100.vendor.slug == "nvidia" and h100.vendor.country == "US" and h100.vendor.is_chip_designer
        assert h100.foundry.slug == "tsmc" and h100.foundry.is_foundry
        assert h100.transistors == 80_000_000_000 and h100.process_nm == 5.0 and h100.die_area_mm2 == 814.0
        assert h100.bf16_flops == 989.4e12 and h100.int8_ops is None  # an empty cell is missing, not zero
        assert str(h100.launch_price_usd) == "33600.00" and h100.website == "https://example.org/h100"
        assert h100.notes == "Epoch note on H100" and h100.confidence == "reported"
        assert list(h100.sources.values_list("url", flat=True)) == [HARDWARE_URL]
        assert list(h100.vendor.sources.values_list("url", flat=True)) == [HARDWARE_URL]

    def test_infinity_missing_type_several_foundries_and_estimates(self):
        report = run_import(hardware_csv(MLU), "epoch-hardware")
        assert report.ok, report.lines()
        chip = Hardware.objects.get(slug="cambricon-mlu370-x8")
        assert chip.bf16_flops is None  # "Infinity"
        assert chip.kind == "asic" and chip.release_date.isoformat() == "2022-03-21"
        assert chip.vendor.country == "CN" and chip.foundry.slug == "smic"
        assert "SMIC, TSMC" in chip.notes and chip.confidence == "estimated"
        assert chip.website == "https://example.org/mlu370"

    def test_an_unknown_vendor_is_an_error_not_an_invented_country(self):
        report = run_import(hardware_csv(H100, UNKNOWN_VENDOR), "epoch-hardware")
        assert not report.ok and report.run.status == "refused"
        assert "manufacturer 'Acme Silicon' is not in the catalog and its country is unknown" in all_messages(report)
        assert not Hardware.objects.exists() and not Organization.objects.exists()


class TestHardwareOnTheBundledCatalog:
    def test_matches_by_normalised_name_and_enriches_without_overwriting(self, bundled):
        chips, orgs = Hardware.objects.count(), Organization.objects.count()
        report = run_import(hardware_csv(H100, B300, GAUDI), "epoch-hardware")
        assert report.ok, report.lines()
        assert (Hardware.objects.count(), Organization.objects.count()) == (chips, orgs)

        h100 = Hardware.objects.get(slug="nvidia-h100-sxm")
        assert h100.aliases == ["NVIDIA H100 SXM5 80GB"]
        assert h100.process_nm == 4.0  # the catalog's value is kept...
        assert h100.launch_price_usd is None  # ...and Epoch's analyst price is not added to a catalog chip
        messages = row_for(report, "nvidia-h100-sxm")["messages"]
        assert "process_nm: Epoch says 5; the catalog keeps 4." in messages  # ...and the disagreement is reported
        assert not any(message.startswith("bf16_flops") for message in messages)  # 989.4 vs 989.5: rounding

        b300 = Hardware.objects.get(slug="nvidia-b300")
        assert b300.int8_ops == 157.5e12  # an empty catalog field is filled
        assert row_for(report, "nvidia-b300")["changes"]["int8_ops"] == [None, 157.5e12]
        assert Hardware.objects.get(slug="intel-gaudi2").aliases == ["Intel Habana Gaudi2"]

    def test_reimporting_the_same_file_changes_nothing(self, bundled):
        data = hardware_csv(H100, B300, GAUDI, MLU, V100)
        assert run_import(data, "epoch-hardware").ok
        again = run_import(data, "epoch-hardware")
        assert again.ok
        assert (again.run.created, again.run.updated) == (0, 0), again.lines()

    def test_a_recorded_alias_is_matched(self, bundled):
        Hardware.objects.filter(slug="nvidia-l4").update(aliases=["Ada Lovelace L4 card"])
        row = "Ada Lovelace L4 card,NVIDIA,GPU,,2023-03-21,,,,,,,,,,,,,,\n"
        report = run_import(hardware_csv(row), "epoch-hardware", dry_run=True)
        assert report.ok and row_for(report, "nvidia-l4")["action"] in ("update", "unchanged")
        assert report.run.created == 0

    def test_an_ambiguous_variant_is_a_new_row_and_a_new_vendor_is_created(self, bundled):
        report = run_import(hardware_csv(V100, MLU), "epoch-hardware")
        assert report.ok, report.lines()
        assert Hardware.objects.get(slug="nvidia-tesla-v100-sxm2").vendor.slug == "nvidia"
        cambricon = Organization.objects.get(slug="cambricon")
        assert cambricon.country == "CN" and Hardware.objects.get(slug="cambricon-mlu370-x8").vendor == cambricon
        assert Organization.objects.get(slug="smic").aliases == []  # an existing foundry found by name

    def test_reading_the_catalog_costs_no_query_per_row(self, bundled):
        def queries(data):
            with CaptureQueriesContext(connection) as context:
                parse_hardware(data, file_name="x.csv", table="")
            return len(context.captured_queries)

        assert queries(hardware_csv(H100)) == queries(hardware_csv(H100, B300, GAUDI, MLU, V100))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"Name,Vendor\nX,Y\n", "Missing required column(s): Hardware name, Manufacturer"),
        ("Hardware name,Manufacturer\nX,Y\n".encode("utf-16"), "not UTF-8"),
        (HARDWARE_HEADER.encode(), "holds no records"),
        (hardware_csv(H100.replace(",700,", ",seven hundred,")), "TDP (W): 'seven hundred' is not a number"),
        (hardware_csv(GAUDI.replace("2022-05-10", "May 2022")), "Release date: 'May 2022' is not a date"),
        (hardware_csv(H100.replace(",700,", ",-700,")), "tdp_watts"),
    ],
)
def test_bad_hardware_input_says_why_and_writes_nothing(data, expected):
    report = run_import(data, "epoch-hardware")
    assert not report.ok and report.run.status == "refused"
    assert expected in all_messages(report)
    assert not Source.objects.exists() and not Hardware.objects.exists()


class TestModels:
    def test_matches_enriches_and_creates_with_organizations_and_training_runs(self, bundled):
        assert run_import(hardware_csv(H100), "epoch-hardware").ok  # adds the Epoch name as an alias
        FoundationModel.objects.filter(slug="doubao-1-5-pro").delete()  # curated since: this test creates it
        models = FoundationModel.objects.count()
        report = run_import(models_csv(GPT3, DOUBAO, RESNET, OLD_LM), "epoch-models")
        assert report.ok, report.lines()
        assert FoundationModel.objects.count() == models + 1  # GPT-3 matched, ResNet and NPLM left out

        gpt3 = FoundationModel.objects.get(slug="gpt-3")
        assert gpt3.aliases == ["GPT-3 175B (davinci)"] and MODELS_URL in gpt3.sources.values_list("url", flat=True)
        assert not TrainingRun.objects.filter(slug="gpt-3-epoch").exists()  # the catalog has its own run

        doubao = FoundationModel.objects.get(slug="doubao-15-pro")
        assert doubao.access == "hosted" and doubao.modality == "text" and doubao.confidence == "estimated"
        assert doubao.training_compute_flop is None and "Parameters: Undisclosed" in doubao.notes
        assert "12,000,000 USD (2023 dollars)" in doubao.notes
        bytedance = doubao.organizations.get()
        assert bytedance.name == "ByteDance" and bytedance.country == "CN" and bytedance.is_model_developer
        run = TrainingRun.objects.get(slug="doubao-15-pro-epoch")
        assert run.hardware.slug == "nvidia-h100-sxm" and run.chip_count == 8000
        assert (run.duration_hours, run.utilization) == (720.0, 0.4)

        summary = row_for(report, MODELS_URL)["messages"]
        assert "1 row(s) not imported: domain outside language, multimodal, image, video, speech" in summary
        assert "1 row(s) not imported: published before 2018 or undated" in summary

    def test_joint_work_known_aliases_and_an_organization_without_a_country(self, bundled):
        report = run_import(models_csv(JOINT), "epoch-models")
        assert report.ok, report.lines()
        model = FoundationModel.objects.get(slug="joint-lm")
        assert [org.slug for org in model.organizations.all()] == ["google"]
        assert "Google DeepMind" in Organization.objects.get(slug="google").aliases
        assert model.modality == "vision-language" and model.access == "open-weights"
        assert model.confidence == "speculative" and model.parameters == 7_000_000_000
        assert "hardware NVIDIA A100, NVIDIA H100 SXM5 80GB" in model.notes  # several chips: no run, a note
        assert not TrainingRun.objects.filter(model=model).exists()
        assert "organization 'Acme Global' left off" in all_messages(report)

    def test_reimporting_the_same_file_changes_nothing(self, bundled):
        data = models_csv(GPT3, DOUBAO, JOINT, RESNET)
        assert run_import(hardware_csv(H100), "epoch-hardware").ok
        assert run_import(data, "epoch-models").ok
        again = run_import(data, "epoch-models")
        assert again.ok and (again.run.created, again.run.updated) == (0, 0), again.lines()

    def test_missing_columns_are_named(self):
        report = run_import(b"Model,Domain\nX,Language\n", "epoch-models")
        assert "Missing required column(s): Organization, Publication date" in report.run.file_error
        assert not Source.objects.exists()


@pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"the reference tables are not here ({REFERENCE})")
class TestReferenceTables:
    """The full published tables, into an empty catalog and into the bundled one (dry runs)."""

    @pytest.mark.parametrize("with_bundled_data", [False, True], ids=["empty", "bundled"])
    def test_hardware(self, with_bundled_data):
        if with_bundled_data:
            call_command("load_bundled_data", "--curated-only", verbosity=0)
        started = time.monotonic()
        report = run_import((REFERENCE / "epoch_ml_hardware_2025-12.csv").read_bytes(), "epoch-hardware", dry_run=True)
        assert time.monotonic() - started < 30
        run = report.run
        assert not run.file_error and run.errors == 0, report.lines()[-40:]
        chips = [row for row in run.rows if row["table"] == "catalog.hardware"]
        assert len(chips) == 170
        created = sum(row["action"] == "create" for row in chips)
        if with_bundled_data:
            assert 20 <= len(chips) - created <= 48  # most bundled accelerators are found, none twice
            assert len({row["key"] for row in chips}) == 170
        else:
            assert created == 170

    @pytest.mark.parametrize("with_bundled_data", [False, True], ids=["empty", "bundled"])
    def test_models(self, with_bundled_data):
        if with_bundled_data:
            call_command("load_bundled_data", "--curated-only", verbosity=0)
        started = time.monotonic()
        data = (REFERENCE / "epoch_notable_ai_models_2025-02-24.csv").read_bytes()
        report = run_import(data, "epoch-models", dry_run=True)
        assert time.monotonic() - started < 60
        run = report.run
        assert not run.file_error and run.errors == 0, report.lines()[-40:]
        models = [row for row in run.rows if row["table"] == "catalog.foundationmodel"]
        assert 150 <= len(models) <= 450  # language-era foundation models, not all 895 notable models
        if with_bundled_data:
            assert sum(row["action"] != "create" for row in models) >= 40
