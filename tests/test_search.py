"""Search (catalog/search.py): one ranking for the site search, the picker and the lists' ``search`` filter.

The shared behaviour runs on both databases; what only PostgreSQL does (spelling tolerance, the indexes and
the plans that use them) skips on SQLite.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import search
from catalog.models import FoundationModel, Hardware, Organization
from catalog.views.browse import SEARCH_LIMIT
from tests.factories import make_hardware, make_model, make_org

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text, trigram indexes and their plans are PostgreSQL's"
)


def found(client, q, group="Models", prefix=""):
    response = client.get(f"{prefix}/search/", {"q": q})
    assert response.status_code == 200
    url_name = {"Models": "catalog:model-detail", "Hardware": "catalog:hardware-detail"}.get(
        group, "catalog:organization-detail"
    )  # the titles are translated on /ko/
    return [hit.slug for g in response.context["groups"] if g["url_name"] == url_name for hit in g["hits"]]


@pytest.fixture
def llamas():
    lab = make_org("meta", name="Meta")
    make_model("mentions", org=lab, name="Falcon 40B", description="Trained to beat llama on every benchmark.")
    make_model("tinyllama", org=lab, name="TinyLlama")
    make_model("code-llama", org=lab, name="Code Llama 7B")
    make_model("llama-3", org=lab, name="Llama 3 70B")
    make_model("llama", org=lab, name="Llama")


def test_a_name_match_ranks_above_a_mention_in_a_description(client, llamas):
    # exact name, name prefix, a word of the name, inside a name, then the description's mention
    assert found(client, "llama") == ["llama", "llama-3", "code-llama", "tinyllama", "mentions"]
    assert [row.slug for row in search.ranked(FoundationModel.objects.all(), "LLAMA")][:2] == ["llama", "llama-3"]


def test_every_word_must_match_somewhere(client, llamas):
    assert found(client, "llama 70b") == ["llama-3"]
    assert found(client, "llama benchmark") == ["mentions"]


def test_korean_names_are_found_whole_and_by_their_start(client):
    make_model("exaone-3", name="EXAONE 3.0", name_ko="엑사원 3.0")
    make_org("naver", name="NAVER", name_ko="네이버")
    for q in ("엑사원", "엑사", "엑사원 3"):
        assert found(client, q) == ["exaone-3"], q
        assert found(client, q, prefix="/ko") == ["exaone-3"], q
    assert found(client, "네이버", group="Organizations") == ["naver"]
    assert client.get("/pick/organizations/", {"q": "네이"}).json() == [{"value": "naver", "label": "NAVER"}]


def test_a_chip_is_found_by_its_vendor_s_name(client):
    nvidia = make_org("nvidia", name="NVIDIA", name_ko="엔비디아")
    make_hardware("nvidia-h100", vendor=nvidia, name="H100")
    make_hardware("other-chip", name="Other chip")
    assert found(client, "nvidia", group="Hardware") == ["nvidia-h100"]
    assert found(client, "엔비디아", group="Hardware") == ["nvidia-h100"]


def test_the_lists_search_filter_matches_as_the_site_search_does(client, api, llamas):
    body = api.get("/api/v1/models/", {"search": "llama"}).json()
    assert {row["slug"] for row in body["results"]} == {"llama", "llama-3", "code-llama", "tinyllama", "mentions"}
    assert api.get("/api/v1/models/", {"search": "llama 70b"}).json()["count"] == 1


@pytest.mark.parametrize(
    "q",
    ["", "   ", "x" * 10_000, "%", "_", "\\", "a:* | !b & (c)", "'; DROP TABLE catalog_hardware; --", "<b>", "ä" * 300],
)
def test_odd_empty_and_huge_queries_answer_within_bounds(client, q):
    lab = make_org("lab", name="Lab")
    for number in range(SEARCH_LIMIT + 5):
        make_model(f"x-{number:02}", org=lab, name=f"X model {number:02} {'%_'}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    assert all(len(group["hits"]) <= SEARCH_LIMIT for group in response.context["groups"])
    assert len(response.context["q"]) <= search.MAX_QUERY
    assert len(queries) <= 15  # a few per table, whatever the query
    assert client.get("/pick/models/", {"q": q[:50]}).status_code == 200


def test_a_long_query_is_cut_and_a_nul_dropped():
    assert search.clean("  a \x00 b  " + "c" * 500) == ("a b " + "c" * 500)[: search.MAX_QUERY]
    assert list(search.ranked(FoundationModel.objects.all(), "")) == []


def test_percent_and_underscore_are_literal(client):
    make_model("plain", name="Plain Xodel")
    make_model("odd", name="100% Pure_Model")
    assert found(client, "0% p") == ["odd"] and found(client, "e_m") == ["odd"]
    assert found(client, "n_x") == [] and found(client, "n%l") == []  # as wildcards they would match "Plain Xodel"


@postgres_only
def test_a_misspelt_name_is_found_on_postgresql(client, llamas):
    make_model("mistral", name="Mistral 7B")
    assert found(client, "lama")[:2] == ["llama", "llama-3"]
    assert found(client, "mistrl") == ["mistral"]
    assert client.get("/pick/models/", {"q": "lama"}).json()[0]["value"] == "llama"


@postgres_only
def test_the_migration_created_the_extension_and_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone()
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        names = {row[0] for row in cursor.fetchall()}
    for table in ("foundationmodel", "hardware", "organization", "application", "concept"):
        assert f"catalog_{table}_search_fts" in names
        assert f"catalog_{table}_slug_trgm" in names and f"catalog_{table}_name_ko_trgm" in names


def plan(queryset):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the index must be usable, whatever the table's size
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgres_only
@pytest.mark.parametrize(("model", "q"), [(FoundationModel, "llama"), (Hardware, "h100"), (Organization, "네이버")])
def test_each_test_of_a_match_is_served_by_an_index(model, q):
    """The vector in catalog/search.py and the index expression in migration 0017 must stay the same."""
    make_hardware("h100", vendor=make_org("nvidia", name="NVIDIA"), name="H100")
    text = plan(search.ranked(model.objects.all(), q)[:20])
    assert "Seq Scan" not in text, text
    table = model._meta.db_table
    assert f"{table}_search_fts" in text and f"{table}_name_trgm" in text and f"{table}_name_ko_trgm" in text, text


@postgres_only
def test_the_stored_vector_follows_its_table_into_a_subquery(llamas):
    inner = search.matching(FoundationModel.objects.all(), "llama benchmark").values("pk")
    assert [row.slug for row in FoundationModel.objects.filter(pk__in=inner)] == ["mentions"]


def test_the_migration_is_a_no_op_on_sqlite_and_the_search_still_works():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%trgm%'")
        assert cursor.fetchall() == []
    make_model("llama", name="Llama")
    assert [row.slug for row in search.ranked(FoundationModel.objects.all(), "lla")] == ["llama"]


@postgres_only
def test_the_planner_knows_what_a_similarity_test_costs():
    """Migration 0018: priced at pg_trgm's COST 1, a common word's search scanned the whole table at 100x the data."""
    import importlib

    functions = importlib.import_module("catalog.migrations.0018_trigram_operator_costs").SIMILARITY_FUNCTIONS
    with connection.cursor() as cursor:
        cursor.execute("SELECT proname, procost FROM pg_proc WHERE proname = ANY(%s)", [list(functions)])
        assert dict(cursor.fetchall()) == dict.fromkeys(functions, 100)
