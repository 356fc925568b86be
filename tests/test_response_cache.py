"""The data version and the response cache (catalog/cache/): fast reads that are never stale."""

import gzip
import json
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from catalog.cache import data_version, responses
from catalog.models import DataVersion, Organization
from tests.factories import make_model, make_org

pytestmark = [pytest.mark.django_db, pytest.mark.response_cache]

HTML_PAGE = "/models/"


@pytest.fixture
def lab():
    return make_model("cache-lm", org=make_org("cache-lab", name="Cache Lab"), name="Cache LM")


def catalog_queries(captured):
    """What was asked of the catalog (the test settings keep the cache itself in a database table)."""
    return [query["sql"] for query in captured if "landscape_cache" not in query["sql"]]


def get(client, path, **headers):
    return client.get(path, HTTP_HOST="127.0.0.1", **headers)


# ---------------------------------------------------------------------------- the data version


def test_every_kind_of_catalog_write_moves_the_version(lab):
    seen = [data_version.current()]

    def moved():
        seen.append(data_version.current())
        return seen[-1] > seen[-2]

    Organization.objects.create(slug="v-one", name="One")
    assert moved()
    Organization.objects.filter(slug="v-one").update(name="Uno")
    assert moved()
    Organization.objects.bulk_create([Organization(slug="v-two", name="Two")])
    assert moved()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalog_organization SET name = 'Raw' WHERE slug = 'v-two'")
    assert moved()
    Organization.objects.filter(slug="v-two").delete()
    assert moved()
    Organization.objects.filter(slug="v-one").count()  # a read is not a write
    assert not moved()


def test_a_transaction_moves_it_once_and_a_rollback_undoes_it(lab):
    before = data_version.current()
    with transaction.atomic():
        for index in range(5):
            Organization.objects.create(slug=f"bulk-{index}", name=f"Bulk {index}")
    assert data_version.current() == before + 1  # one bump for five rows

    with pytest.raises(RuntimeError), transaction.atomic():
        Organization.objects.create(slug="undone", name="Undone")
        raise RuntimeError
    assert data_version.current() == before + 1
    assert not Organization.objects.filter(slug="undone").exists()


def test_a_read_inside_the_transaction_makes_the_next_write_move_it_again(lab):
    with transaction.atomic():
        Organization.objects.create(slug="first", name="First")
        seen = data_version.current()
        Organization.objects.create(slug="second", name="Second")
        assert data_version.current() == seen + 1


def test_loading_fixtures_moves_it(lab, tmp_path):
    fixture = tmp_path / "org.json"
    fixture.write_text('[{"model": "catalog.organization", "fields": {"slug": "fixture-lab", "name": "Fixture Lab"}}]')
    before = data_version.current()
    call_command("loaddata", str(fixture), verbosity=0)
    assert data_version.current() > before


def test_a_lost_row_is_recreated_from_the_clock_not_from_zero(lab):
    DataVersion.objects.all().delete()
    assert data_version.current() == 0
    Organization.objects.create(slug="after-flush", name="After flush")
    assert data_version.current() > 10**15  # microseconds since 1970: never an old, reused key


def test_writes_to_other_tables_do_not_move_it(lab, django_user_model):
    before = data_version.current()
    django_user_model.objects.create_user("reader", password="x" * 12)
    assert data_version.current() == before


# ---------------------------------------------------------------------------- the response cache


def test_a_second_anonymous_read_is_a_hit_with_one_query(client, lab):
    first = get(client, HTML_PAGE)
    assert first.status_code == 200 and first["X-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = get(client, HTML_PAGE)
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert len(catalog_queries(queries)) == 1  # the data version, nothing else
    assert "Cache LM" in second.content.decode()


def test_a_write_is_seen_by_the_next_read(client, lab):
    assert "Renamed LM" not in get(client, HTML_PAGE).content.decode()
    lab.name = "Renamed LM"
    lab.save()
    after = get(client, HTML_PAGE)
    assert after["X-Cache"] == "miss"
    assert "Renamed LM" in after.content.decode()


def test_etag_revalidation_is_a_304_until_the_data_changes(client, lab):
    etag = get(client, "/api/v1/models/")["ETag"]
    assert etag.startswith('W/"')
    with CaptureQueriesContext(connection) as queries:
        unchanged = get(client, "/api/v1/models/", HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged["ETag"] == etag and len(queries) == 1  # not even the cache is asked
    assert get(client, "/api/v1/models/", HTTP_IF_NONE_MATCH=etag.removeprefix("W/")).status_code == 304
    Organization.objects.create(slug="new-lab", name="New Lab")
    changed = get(client, "/api/v1/models/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_cacheable_answers_tell_browsers_to_revalidate_and_a_cdn_to_keep_them_briefly(client, lab):
    response = get(client, "/api/v1/models/")
    assert response["Cache-Control"] == f"public, max-age=0, s-maxage={settings.RESPONSE_CACHE_CDN_SECONDS}"
    vary = {value.strip() for value in response["Vary"].split(",")}
    assert {"Accept", "Accept-Language", "Cookie"} <= vary


def test_language_format_and_query_are_separate_answers(client, lab):
    english, korean = get(client, HTML_PAGE), get(client, f"/ko{HTML_PAGE}")
    assert english["ETag"] != korean["ETag"] and korean["Content-Language"] == "ko"
    as_json = get(client, "/api/v1/models/", HTTP_ACCEPT="application/json")
    as_html = get(client, "/api/v1/models/", HTTP_ACCEPT="text/html")
    assert as_json["Content-Type"].startswith("application/json")
    assert as_html["Content-Type"].startswith("text/html")
    assert get(client, "/api/v1/models/?search=zzz-none").json()["count"] == 0
    # The same query in another order is the same answer.
    assert get(client, "/models/?a=1&b=2")["ETag"] == get(client, "/models/?b=2&a=1")["ETag"]


def test_signed_in_and_token_readers_are_never_served_from_the_cache(client, lab, django_user_model):
    get(client, HTML_PAGE)
    user = django_user_model.objects.create_user("reader", password="x" * 12)
    client.force_login(user)
    signed_in = get(client, HTML_PAGE)
    assert "X-Cache" not in signed_in and "ETag" not in signed_in
    client.logout()
    token = Token.objects.create(user=user)
    with_token = get(client, "/api/v1/models/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert with_token.status_code == 200 and "X-Cache" not in with_token


def test_a_page_with_a_csrf_token_in_it_is_not_stored(client, lab):
    first = get(client, "/estimate/tokens/")
    assert first.status_code == 200 and "csrfmiddlewaretoken" in first.content.decode()
    # Django sends the token's cookie again with every page that uses it, and either marks it unstorable.
    assert "X-Cache" not in get(client, "/estimate/tokens/")
    assert "X-Cache" not in get(client, "/estimate/tokens/")


def test_no_page_is_personalised_by_a_csrf_token_through_the_language_switcher(client, lab):
    html = get(client, HTML_PAGE).content.decode()
    assert "language-switcher" in html and "csrfmiddlewaretoken" not in html


def test_only_successful_plain_answers_are_stored(client, lab):
    assert get(client, "/models/no-such-model/").status_code == 404
    assert "X-Cache" not in get(client, "/models/no-such-model/")
    exported = get(client, "/api/v1/models/?format=csv")
    assert exported.status_code == 200 and "X-Cache" not in exported  # streamed


def test_a_cache_that_fails_means_uncached_answers_not_errors(client, lab, caplog):
    broken = mock.Mock(side_effect=ConnectionError("redis is down"))
    responses.OutageLog.last = 0.0
    with mock.patch.object(responses.cache, "get", broken), mock.patch.object(responses.cache, "set", broken):
        answers = [get(client, HTML_PAGE) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert all(answer["X-Cache"] == "miss" for answer in answers)
    assert "Cache LM" in answers[-1].content.decode()
    assert caplog.text.count("Response cache read failed") == 1  # once a minute, not once a request


def test_the_cache_can_be_turned_off(client, lab, settings):
    settings.RESPONSE_CACHE_ENABLED = False
    get(client, HTML_PAGE)
    repeat = get(client, HTML_PAGE)
    assert "X-Cache" not in repeat and "ETag" not in repeat


def test_answers_are_compressed_for_clients_that_accept_it(client, lab):
    get(client, "/api/v1/models/")
    # A hit is sent as it was compressed when stored, not compressed again per request.
    with mock.patch("django.middleware.gzip.compress_string", side_effect=AssertionError("compressed again")):
        hit = get(client, "/api/v1/models/", HTTP_ACCEPT_ENCODING="gzip")
        plain = get(client, "/api/v1/models/")
    assert hit["X-Cache"] == "hit" and hit["Content-Encoding"] == "gzip"
    assert int(hit["Content-Length"]) == len(hit.content) and "Accept-Encoding" in hit["Vary"]
    assert gzip.decompress(hit.content) == plain.content and b"cache-lm" in plain.content
    assert plain["X-Cache"] == "hit" and "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]


def test_the_release_changes_the_key(client, lab, settings):
    before = get(client, HTML_PAGE)["ETag"]
    settings.LANDSCAPE_RELEASE = "another-deploy"
    responses.release.cache_clear()
    try:
        assert get(client, HTML_PAGE)["ETag"] != before
    finally:
        responses.release.cache_clear()


# ---------------------------------------------------------------------------- the language switcher


def test_the_language_switcher_refuses_a_post_from_another_site(client):
    forged = client.post(
        "/i18n/setlang/", {"language": "ko", "next": "/"}, HTTP_HOST="127.0.0.1", HTTP_SEC_FETCH_SITE="cross-site"
    )
    assert forged.status_code == 403 and settings.LANGUAGE_COOKIE_NAME not in forged.cookies
    forged_origin = client.post(
        "/i18n/setlang/", {"language": "ko", "next": "/"}, HTTP_HOST="127.0.0.1", HTTP_ORIGIN="https://evil.example"
    )
    assert forged_origin.status_code == 403
    own = client.post(
        "/i18n/setlang/", {"language": "ko", "next": "/"}, HTTP_HOST="127.0.0.1", HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert own.status_code == 302 and own.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ko"


# ---------------------------------------------------------------------------- every write path, end to end


def test_an_api_write_is_seen_by_the_next_anonymous_read(client, lab, django_user_model):
    before = get(client, "/organizations/cache-lab/")
    assert "Cache Lab" in before.content.decode()
    editor = django_user_model.objects.create_superuser("editor", password="x" * 12)
    token = Token.objects.create(user=editor)
    patched = client.patch(
        "/api/v1/organizations/cache-lab/",
        data='{"name": "Cache Lab Renamed"}',
        content_type="application/json",
        HTTP_HOST="127.0.0.1",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert patched.status_code == 200, patched.content
    assert "Cache Lab Renamed" in get(client, "/organizations/cache-lab/").content.decode()
    assert get(client, "/api/v1/organizations/cache-lab/").json()["name"] == "Cache Lab Renamed"


def test_an_admin_delete_is_seen_by_the_next_anonymous_read(client, admin_client, lab):
    assert get(client, "/models/cache-lm/").status_code == 200
    deleted = admin_client.post(f"/admin/catalog/foundationmodel/{lab.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert get(client, "/models/cache-lm/").status_code == 404


def test_an_import_is_seen_by_the_next_anonymous_read(client, lab):
    from catalog.importers.service import import_file

    assert get(client, "/api/v1/organizations/").json()["count"] == 1
    row = {"model": "catalog.organization", "fields": {"slug": "imported-lab", "name": "Imported Lab", "country": "KR"}}
    fixture = json.dumps([row]).encode()
    assert import_file(fmt="fixture", data=fixture, file_name="orgs.json", dry_run=False, table="").ok
    assert get(client, "/api/v1/organizations/").json()["count"] == 2
