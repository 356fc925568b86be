"""Imports under hostile use: table permissions, who may confirm, isolation, bounded work and a bounded log."""

import datetime
import json
import os
import sqlite3
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import CheckConstraint, Q, QuerySet
from django.test.utils import CaptureQueriesContext

from catalog.importers import lookups, service, validation
from catalog.importers.litellm import SOURCE_URL as LITELLM_SOURCE
from catalog.importers.records import IMPORTABLE
from catalog.importers.service import confirm_preview, import_file, lock_imports
from catalog.models import (
    CloudPrice,
    Concept,
    FoundationModel,
    Hardware,
    ImportRun,
    Organization,
    PricePoint,
    Source,
    UnmatchedOffering,
)
from tests.factories import make_model, make_org, make_source

pytestmark = pytest.mark.django_db

PROJECT_ROOT = Path(__file__).resolve().parents[1]
URL = "https://example.org/spec"


def fixture(*entries):
    return json.dumps(list(entries)).encode()


def source(url=URL, title="Spec"):
    return {"model": "catalog.source", "fields": {"url": url, "title": title}}


def org(slug, name=None, **fields):
    return {"model": "catalog.organization", "fields": {"slug": slug, "name": name or slug, "country": "KR", **fields}}


def staff(username, *codenames):
    user = User.objects.create_user(username, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames))
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached per object


def upload(client, data, fmt="fixture", table=""):
    upload = SimpleUploadedFile("data.json", data, content_type="application/json")
    return client.post("/admin/catalog/importrun/import/", {"file": upload, "format": fmt, "table": table})


def messages_of(run):
    return run.file_error + " ".join(message for row in run.rows for message in row["messages"])


class TestTablePermissions:
    def test_the_import_permission_alone_writes_no_table(self, client):
        client.force_login(staff("intern", "add_importrun"))
        response = upload(client, fixture(source(), org("furiosaai", sources=[[URL]])))
        assert response.status_code == 400
        html = response.content.decode()
        assert "you lack permission to add catalog.source" in html
        assert "you lack permission to add catalog.organization" in html
        assert "Confirm" not in html
        assert ImportRun.objects.get().status == "refused"
        assert not Source.objects.exists() and not Organization.objects.exists()

    def test_add_permission_creates_rows_but_changes_none(self):
        make_source(URL)
        user = staff("curator", "add_importrun", "add_source")
        created = import_file(
            fmt="fixture", data=fixture(source("https://example.org/new")), file_name="x.json", dry_run=False, user=user
        )
        assert created.ok and Source.objects.filter(url="https://example.org/new").exists()
        changed = import_file(
            fmt="fixture", data=fixture(source(URL, "New title")), file_name="x.json", dry_run=False, user=user
        )
        assert not changed.ok
        (row,) = changed.run.rows
        assert row["action"] == "error" and "you lack permission to change catalog.source" in row["messages"]
        assert Source.objects.get(url=URL).title == "A datasheet"

    def test_changing_links_needs_the_change_permission(self):
        make_org("furiosaai")  # linked to the factory's datasheet
        make_source(URL)
        user = staff("curator", "add_importrun", "add_organization", "add_source")
        report = import_file(
            fmt="fixture",
            data=fixture(org("furiosaai", "Furiosaai", sources=[[URL]])),
            file_name="x.json",
            dry_run=True,
            user=user,
        )
        (row,) = report.run.rows
        assert set(row["changes"]) == {"sources"}
        assert "you lack permission to change catalog.organization" in row["messages"]

    def test_the_operator_on_the_shell_keeps_every_right(self):
        report = import_file(fmt="fixture", data=fixture(source()), file_name="x.json", dry_run=False)
        assert report.ok and report.run.user is None

    def test_offerings_kept_for_review_need_their_add_permission(self):
        openai = make_org("openai", name="OpenAI", country="US")
        make_model("gpt-4o", org=openai, name="GPT-4o")
        price_map = {
            "house-9": {  # no maker named in the id: kept for review
                "litellm_provider": "openai",
                "mode": "chat",
                "input_cost_per_token": 1e-06,
                "output_cost_per_token": 3e-06,
            }
        }
        data = json.dumps(price_map).encode()
        perms = ["add_importrun", "add_source", "add_pricepoint", "change_pricepoint"]
        refused = import_file(
            fmt="litellm",
            data=data,
            file_name="litellm_model_prices_2026-07-24.json",
            dry_run=False,
            user=staff("a", *perms),
        )
        assert not refused.ok and refused.run.flagged == 1
        assert "you lack permission to add catalog.unmatchedoffering" in messages_of(refused.run)
        assert not UnmatchedOffering.objects.exists() and not Source.objects.filter(url=LITELLM_SOURCE).exists()
        allowed = import_file(
            fmt="litellm",
            data=data,
            file_name="litellm_model_prices_2026-07-24.json",
            dry_run=False,
            user=staff("b", *perms, "add_unmatchedoffering"),
        )
        assert allowed.ok and UnmatchedOffering.objects.count() == 1

    def test_a_model_read_from_a_price_map_needs_the_add_permission_for_models(self):
        make_org("openai", name="OpenAI", country="US")
        entry = {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06}
        entry["output_cost_per_token"] = 3e-06
        data = json.dumps({"gpt-9": entry}).encode()
        perms = ["add_importrun", "add_source", "add_pricepoint", "add_pricecheck", "add_unmatchedoffering"]
        name = "litellm_model_prices_2026-07-24.json"
        refused = import_file(fmt="litellm", data=data, file_name=name, dry_run=False, user=staff("a", *perms))
        assert not refused.ok and "you lack permission to add catalog.foundationmodel" in messages_of(refused.run)
        assert not FoundationModel.objects.filter(slug="gpt-9").exists() and not PricePoint.objects.exists()
        allowed = import_file(
            fmt="litellm", data=data, file_name=name, dry_run=False, user=staff("b", *perms, "add_foundationmodel")
        )
        assert allowed.ok and PricePoint.objects.get().model.slug == "gpt-9"


class TestConfirming:
    def preview(self, client, user, data):
        client.force_login(user)
        assert upload(client, data).status_code == 200
        return ImportRun.objects.get(status="preview")

    def test_only_the_user_who_previewed_may_confirm(self, client):
        curator = staff("curator", "add_importrun", "add_source")
        preview = self.preview(client, curator, fixture(source()))
        other = User.objects.create_superuser("boss")
        client.force_login(other)
        assert client.post(f"/admin/catalog/importrun/{preview.pk}/confirm/").status_code == 404
        with pytest.raises(PermissionDenied):
            confirm_preview(preview, user=other)
        assert not Source.objects.exists()
        client.force_login(curator)
        assert client.post(f"/admin/catalog/importrun/{preview.pk}/confirm/").status_code == 302
        assert Source.objects.filter(url=URL).exists()

    def test_permissions_are_checked_again_when_confirming(self, client):
        curator = staff("curator", "add_importrun", "add_source")
        preview = self.preview(client, curator, fixture(source()))
        curator.user_permissions.remove(Permission.objects.get(codename="add_source"))
        report = confirm_preview(preview, user=User.objects.get(pk=curator.pk))
        assert not report.ok and "you lack permission to add catalog.source" in messages_of(report.run)
        assert not Source.objects.exists()

    def test_a_preview_of_data_changed_since_is_refused_whole(self, client):
        make_source(URL)
        admin = User.objects.create_superuser("admin")
        data = fixture(source(URL, "New title"), source("https://example.org/other"))
        preview = self.preview(client, admin, data)
        Source.objects.filter(url=URL).update(title="Edited meanwhile")
        response = client.post(f"/admin/catalog/importrun/{preview.pk}/confirm/")
        refused = ImportRun.objects.get(status="refused")
        assert response["Location"].endswith(f"/{refused.pk}/change/")
        assert "changed since the preview" in refused.file_error
        assert Source.objects.get(url=URL).title == "Edited meanwhile"
        assert not Source.objects.filter(url="https://example.org/other").exists()

    def test_a_change_the_preview_does_not_touch_does_not_block_it(self, client):
        make_source(URL)
        make_source("https://example.org/unrelated")
        admin = User.objects.create_superuser("admin")
        preview = self.preview(client, admin, fixture(source(URL, "New title")))
        Source.objects.filter(url="https://example.org/unrelated").update(title="Edited meanwhile")
        report = confirm_preview(preview, user=admin)
        assert report.ok, report.lines()
        assert Source.objects.get(url=URL).title == "New title"

    def test_a_preview_is_applied_once(self, client):
        admin = User.objects.create_superuser("admin")
        preview = self.preview(client, admin, fixture(source()))
        assert confirm_preview(preview, user=admin).ok
        again = confirm_preview(preview, user=admin)
        assert not again.ok and "confirmed already" in again.run.file_error


class TestSerialisedApplies:
    @pytest.mark.django_db(transaction=True)  # outside a test's transaction, which may hold SQLite's lock already
    def test_an_apply_holds_the_import_lock_until_its_transaction_ends(self):
        """Another connection cannot take the write lock an apply holds (PostgreSQL: advisory; SQLite: the database)."""
        with transaction.atomic():
            lock_imports(apply=True)
            if connection.vendor == "postgresql":
                with connections.create_connection("default").cursor() as other:
                    other.execute("SELECT pg_try_advisory_xact_lock(%s)", [service.IMPORT_LOCK_KEY])
                    assert other.fetchone() == (False,)
            else:
                name = connection.settings_dict["NAME"]
                other = sqlite3.connect(name, uri=str(name).startswith("file:"), timeout=0, isolation_level=None)
                try:
                    with pytest.raises(sqlite3.OperationalError, match="locked"):
                        other.execute("BEGIN IMMEDIATE")
                finally:
                    other.close()

    @pytest.mark.django_db(transaction=True)
    def test_two_imports_at_once_apply_one_after_the_other(self, monkeypatch):
        """The second import reads the rows only after the first committed, so it applies (and reports)
        its changes against the first's result, never against what both saw at the start."""
        if connection.vendor != "postgresql":
            pytest.skip(
                "SQLite's test database is in memory, shared between threads by table-level locks that "
                "fail at once instead of waiting; the SQLite lock is tested by the test above"
            )
        for index in range(30):
            make_org(f"lab-{index}", name="Original")
        first_written, second_read = threading.Event(), threading.Event()
        real_import_records, real_prefetch = service.import_records, lookups.ExistingRows.prefetch
        reports, failures = {}, []

        def import_records(*args, **kwargs):  # the first holds its transaction open until the second is in
            result = real_import_records(*args, **kwargs)
            if threading.current_thread().name == "first":
                first_written.set()
                watcher = connections.create_connection("default")
                with watcher.cursor() as cursor:
                    for _ in range(100_000):
                        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
                        if second_read.is_set() or cursor.fetchone()[0] > 0:  # the second read, or waits
                            break
                    else:
                        failures.append("the second import neither read nor waited")
                watcher.close()
            return result

        def prefetch(self, *args, **kwargs):
            if threading.current_thread().name == "second":
                second_read.set()
            return real_prefetch(self, *args, **kwargs)

        monkeypatch.setattr(service, "import_records", import_records)
        monkeypatch.setattr(lookups.ExistingRows, "prefetch", prefetch)

        def run(name):
            try:
                data = fixture(*(org(f"lab-{index}", name.title()) for index in range(30)))
                reports[name] = import_file(fmt="fixture", data=data, file_name=f"{name}.json", dry_run=False)
            except Exception as error:  # reported by the main thread
                failures.append(repr(error))
            finally:
                connection.close()

        first = threading.Thread(target=run, args=["first"], name="first")
        second = threading.Thread(target=run, args=["second"], name="second")
        first.start()
        first_written.wait(timeout=60)
        second.start()
        first.join(timeout=120)
        second.join(timeout=120)
        assert not failures
        assert reports["first"].run.status == reports["second"].run.status == "applied"
        assert {row["changes"]["name"][0] for row in reports["second"].run.rows} == {"First"}
        assert set(Organization.objects.values_list("name", flat=True)) == {"Second"}


class TestBoundedWork:
    """No query per row: a file at the size limit must preview inside one web request."""

    def queries(self, data, **kwargs):
        with CaptureQueriesContext(connection) as captured:
            report = import_file(data=data, file_name="x", dry_run=False, **kwargs)
        assert report.ok, report.lines()[:5]
        return len(captured)

    def organizations(self, count, *, name="Lab", sources=(URL,)):
        return fixture(
            source(),
            source("https://example.org/second"),
            *(
                org(
                    f"lab-{index:04d}", name, parent=["lab-0000"] if index else None, sources=[[url] for url in sources]
                )
                for index in range(count)
            ),
        )

    # Bulk writes come in batches (SQLite takes at most 999 parameters a query): allow one query per 20 rows.
    def assert_bounded(self, few, many, *, extra_rows):
        assert many <= few + extra_rows // 20, (few, many)

    def test_creating_updating_and_relinking_need_no_query_per_row(self):
        costs = []
        for count in (10, 300):
            created = self.queries(self.organizations(count), fmt="fixture")
            relinked = self.organizations(count, name="Renamed", sources=[URL, "https://example.org/second"])
            costs.append((created, self.queries(relinked, fmt="fixture")))
            Organization.objects.all().delete()
            Source.objects.all().delete()
        self.assert_bounded(costs[0][0], costs[1][0], extra_rows=290)
        self.assert_bounded(costs[0][1], costs[1][1], extra_rows=290)

    def test_check_constraints_are_checked_without_a_query_per_row(self):
        make_org("nvidia")
        rows = [f"chip-{index},Chip,nvidia,gpu,{100 + index}\n" for index in range(300)]
        header, table = "slug,name,vendor,kind,tdp_watts\n", "catalog.hardware"
        few = self.queries(f"{header}{''.join(rows[:10])}".encode(), fmt="csv", table=table)
        Hardware.objects.all().delete()
        many = self.queries(f"{header}{''.join(rows)}".encode(), fmt="csv", table=table)
        self.assert_bounded(few, many, extra_rows=290)

    def test_a_check_constraint_no_field_validator_covers_is_still_reported(self):
        nvidia = make_org("nvidia")
        Hardware.objects.create(slug="h100", name="H100", kind="gpu", vendor=nvidia)
        data = (
            b"provider,hardware,instance_type,region,pricing_kind,price_per_hour,accelerators_per_instance,"
            b"effective_from\nnvidia,h100,p5,us-east-1,on-demand,98.32,0,2024-01-01\n"
        )
        report = import_file(fmt="csv", data=data, file_name="x.csv", dry_run=False, table="catalog.cloudprice")
        assert "cloudprice_at_least_one_accelerator" in messages_of(report.run)
        assert not CloudPrice.objects.exists()

    def test_too_many_records_are_refused_before_any_is_validated(self, monkeypatch):
        monkeypatch.setattr(service, "MAX_RECORDS", 3)
        data = "url,title\n" + "".join(f"https://example.org/{index},T\n" for index in range(4))
        report = import_file(fmt="csv", data=data.encode(), file_name="x.csv", dry_run=True, table="catalog.source")
        assert "holds 4 records; an import takes at most 3" in report.run.file_error
        assert report.run.rows == []


def concept(slug, related=()):
    fields = {"slug": slug, "name_en": slug, "name_ko": slug, "summary_en": "-", "summary_ko": "-"}
    return {"model": "catalog.concept", "fields": {**fields, "related": [[other] for other in related]}}


class TestBatchedWritesKeepTheReport:
    """The rows, links and messages the one-row-at-a-time engine wrote and reported, written in bulk."""

    def run(self, *entries, dry_run=False):
        return import_file(fmt="fixture", data=fixture(*entries), file_name="x.json", dry_run=dry_run)

    def test_links_are_replaced_and_reported_before_and_after(self):
        self.run(source("https://example.org/a"), source("https://example.org/b"), source("https://example.org/c"))
        self.run(org("lab", sources=[["https://example.org/a"], ["https://example.org/b"]]))
        report = self.run(org("lab", sources=[["https://example.org/b"], ["https://example.org/c"]]))
        (row,) = report.run.rows
        assert row["action"] == "update"
        assert row["changes"] == {
            "sources": [
                ["https://example.org/a", "https://example.org/b"],
                ["https://example.org/b", "https://example.org/c"],
            ]
        }
        urls = Organization.objects.get(slug="lab").sources.values_list("url", flat=True)
        assert sorted(urls) == ["https://example.org/b", "https://example.org/c"]

    def test_a_related_term_listed_on_one_side_links_both_and_is_never_removed(self):
        first = self.run(concept("npu", related=["asic"]), concept("asic"))
        assert [row["action"] for row in first.run.rows] == ["create", "create"]
        again = self.run(concept("npu", related=["asic"]), concept("asic"))
        assert [row["action"] for row in again.run.rows] == ["unchanged", "unchanged"]
        third = self.run(concept("asic", related=["npu", "tpu"]), concept("tpu"))
        assert third.run.rows[0]["changes"] == {"related": [["npu"], ["npu", "tpu"]]}
        assert sorted(Concept.objects.get(slug="tpu").related.values_list("slug", flat=True)) == ["asic"]

    def test_a_parent_further_down_the_file_and_a_changed_parent(self):
        report = self.run(org("child", parent=["parent"]), org("parent"), org("other"))
        assert report.ok and Organization.objects.get(slug="child").parent.slug == "parent"
        moved = self.run(org("child", parent=["other"]))
        assert moved.run.rows[0]["changes"] == {"parent": ["parent", "other"]}
        assert Organization.objects.get(slug="child").parent.slug == "other"

    def test_a_batch_the_database_refuses_is_written_row_by_row_to_name_the_row(self, monkeypatch):
        real_save, real_bulk_create = Source.save, QuerySet.bulk_create

        def save(self, *args, **kwargs):
            if self.url.endswith("/bad"):
                raise IntegrityError("refused for the test")
            return real_save(self, *args, **kwargs)

        def bulk_create(self, objs, *args, **kwargs):  # inserts, then fails: the savepoint undoes the inserts
            created = real_bulk_create(self, objs, *args, **kwargs)
            if self.model is Source:
                raise IntegrityError("refused for the test")
            return created

        monkeypatch.setattr(Source, "save", save)
        monkeypatch.setattr(QuerySet, "bulk_create", bulk_create)
        report = self.run(source("https://example.org/good"), source("https://example.org/bad"))
        assert [row["action"] for row in report.run.rows] == ["create", "error"]
        assert report.run.rows[1]["messages"] == ["the database refused the row: refused for the test"]
        assert not Source.objects.exists()
        report = self.run(source("https://example.org/good"), source("https://example.org/fine"))
        assert report.ok and Source.objects.count() == 2  # one by one, as new rows, after the batch failed
        monkeypatch.undo()
        assert self.run(source("https://example.org/later")).ok and Source.objects.count() == 3


def sample_values(model_field):
    kind = model_field.get_internal_type()
    if kind == "DateField":
        return [None, datetime.date(2024, 1, 1), datetime.date(2025, 1, 1)]
    if kind == "DecimalField":
        return [None, Decimal("-1"), Decimal("0"), Decimal("0.5"), Decimal("2")]
    if kind == "FloatField":
        return [None, -1.0, 0.0, 0.5, 1.0, 2.0]
    return [None, 1, 2] if model_field.is_relation or model_field.primary_key else [None, -1, 0, 1, 2]


@pytest.mark.parametrize(
    ("model", "constraint"),
    [
        (model, constraint)
        for model in IMPORTABLE.values()
        for constraint in model._meta.constraints
        if isinstance(constraint, CheckConstraint)
    ],
    ids=lambda value: getattr(value, "name", getattr(value, "__name__", "")),
)
def test_check_constraints_evaluated_in_python_agree_with_the_database(model, constraint):
    names = sorted(referenced_fields(constraint.condition) - {"pk"})
    fields = [model._meta.get_field(name) for name in names]
    combos = [[]]
    for model_field in fields:
        combos = [[*combo, value] for combo in combos for value in sample_values(model_field)]
    for combo in combos:
        row = model()
        for model_field, value in zip(fields, combo, strict=True):
            setattr(row, model_field.attname, value)
        database = Q(constraint.condition).check(row._get_field_expression_map(meta=model._meta))
        assert validation.check_holds(row, constraint, set()) in (database, None), (constraint.name, combo)
        assert validation.check_holds(row, constraint, set()) is not None, (constraint.name, combo)


def referenced_fields(node):
    names = set()
    for child in node.children:
        if isinstance(child, Q):
            names |= referenced_fields(child)
        else:
            lookup, value = child
            names.add(lookup.split("__")[0])
            if hasattr(value, "name"):
                names.add(value.name)
    return names


class TestChangeLog:
    def test_a_run_keeps_a_bounded_log_with_exact_counts(self):
        rows = "".join(f"https://example.org/{index},T,{'x' * 100_000}\n" for index in range(60))
        report = import_file(
            fmt="csv",
            data=f"url,title,notes\n{rows}".encode(),
            file_name="x.csv",
            dry_run=False,
            table="catalog.source",
        )
        run = ImportRun.objects.get(pk=report.run.pk)
        assert run.created == 60 and Source.objects.count() == 60
        assert len(json.dumps(run.rows)) < 100_000
        (before, after) = run.rows[0]["changes"]["notes"]
        assert before is None and after.startswith("xxx") and after.endswith("(100,000 characters)")

    def test_rows_past_the_limit_are_counted_in_a_note_errors_first(self, monkeypatch):
        monkeypatch.setattr(service, "LOG_ROWS", 3)
        rows = "".join(f"https://example.org/{index},T\n" for index in range(5)) + "not a url,T\n"
        report = import_file(
            fmt="csv", data=f"url,title\n{rows}".encode(), file_name="x.csv", dry_run=True, table="catalog.source"
        )
        run = ImportRun.objects.get(pk=report.run.pk)
        assert (run.created, run.errors) == (5, 1)
        assert [row["where"] for row in run.rows] == ["line 2", "line 3", "line 7", ""]
        assert run.rows[-1]["messages"] == ["3 more rows are not kept in detail (3 create); the counts are exact."]
        assert "3 more rows are not kept in detail" in "\n".join(report.lines())

    def test_the_log_stays_under_its_byte_budget(self, monkeypatch):
        monkeypatch.setattr(service, "LOG_BYTES", 5_000)
        rows = "".join(f"https://example.org/{index},T,{'x' * 1000}\n" for index in range(40))
        report = import_file(
            fmt="csv", data=f"url,title,notes\n{rows}".encode(), file_name="x.csv", dry_run=True, table="catalog.source"
        )
        stored = ImportRun.objects.get(pk=report.run.pk).rows
        assert len(json.dumps(stored)) < 6_000 and stored[-1]["action"] == "note"


def test_the_import_benchmark_runs_on_a_small_synthetic_file(tmp_path):
    """perf/import_bench.py --synthetic, tiny, in its own throwaway SQLite database."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "perf/import_bench.py", "--synthetic", "--bytes", "20000"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    steps = {line[:14].strip(): line[14:].split() for line in result.stdout.splitlines()[2:] if line[:1].islower()}
    assert {"preview", "apply", "preview again"} <= set(steps)
    rows, size, created, *_, errors, _seconds, _queries_per_row = steps["apply"]
    assert int(rows) > 50 and created == rows and int(size) <= 20_000 and errors == "0"
    assert steps["preview again"][4] == rows  # all unchanged
    assert "meets the target" in result.stdout
