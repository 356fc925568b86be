"""Schemathesis over the whole API, in-process, against the test database.

The OpenAPI document drf-spectacular builds is the contract: every operation is called with generated
requests (valid and invalid), as a staff superuser holding a token, so writes run too. Each response must
not be a server error and must match what the schema documents (status code, content type, body).

State: a small set of rows is created once for the module; every generated request runs in its own
savepoint that is rolled back afterwards, so a DELETE or a POST in one example never changes what the
next example sees, and the result of an example does not depend on the ones before it (which is what
lets Hypothesis replay and shrink a failure). Path parameters and related-row references in bodies are
sometimes swapped for keys of real rows, so detail routes and successful writes are reached too.

Checks: every built-in one except positive_data_acceptance and negative_data_rejection (see CONFIG). The
must-haves are not_a_server_error, status_code_conformance, content_type_conformance and
response_schema_conformance; ignored_auth also runs (it re-sends without the token).

Bounded and deterministic: a fixed seed, derandomized Hypothesis, a small number of examples per
operation, no example database. One operation: ``pytest tests/test_api_schemathesis.py -k "POST and models"``.
"""

import datetime
import json
from decimal import Decimal

import hypothesis
import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from catalog.benchmarking.store import record_run
from catalog.models import Application, CloudPrice, Concept, PricePoint, Source, TrainingRun
from tests.benchmark_reports import benchmark_report
from tests.factories import make_hardware, make_model, make_org, make_price, make_source

# Random examples per operation (the coverage phase adds its boundary cases to reads and deletes). Lists get the
# most: they are cheap and their many query parameters combine in the most ways.
MAX_EXAMPLES = 20  # detail reads, deletes
LIST_EXAMPLES = 50  # GET without a path parameter
WRITE_EXAMPLES = 25  # POST, PUT, PATCH
SEED = 20240601
TOKEN_KEY = "schemathesis0staff0token0000000000000000"  # 40 characters, like the keys DRF makes


def build_openapi_document():
    """The document /api/schema/ serves, built without a request (the view itself would touch the database)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "checks": {
            # Both judge whether the server's accept/reject decision matches the schema alone. Here validity
            # also depends on the database (a slug or source URL must exist, slugs are unique, price periods
            # must not overlap) and DRF deliberately coerces "12" to 12 and ignores unknown query parameters,
            # so these two would only report that; every other check stays on.
            "positive_data_acceptance": {"enabled": False},
            "negative_data_rejection": {"enabled": False},
        },
        "operations": [
            {"include-method": ["GET"], "include-path-regex": "^[^{]*$", "generation": {"max-examples": LIST_EXAMPLES}},
            # The coverage phase enumerates every boundary of every body field in three media types: about
            # 400 requests per hardware or model write. Writes get more random examples instead; reads and
            # deletes (query and path parameters only) get both phases.
            {
                "include-method": ["POST", "PUT", "PATCH"],
                "phases": {"coverage": {"enabled": False}},
                "generation": {"max-examples": WRITE_EXAMPLES},
            },
        ],
    }
)

schema = schemathesis.openapi.from_dict(build_openapi_document(), config=CONFIG)
schema.app = WSGIHandler()


# Keys of the rows the fixture creates, filled at fixture time and read by the hooks while generating.
KNOWN: dict[str, list] = {}

# Path prefix of a detail route -> which known keys fit its {slug} or {id}.
PATH_KEYS = {
    "/api/v1/organizations/": "organization",
    "/api/v1/models/": "model",
    "/api/v1/hardware/": "hardware",
    "/api/v1/training-runs/": "training_run",
    "/api/v1/prices/": "price",
    "/api/v1/cloud-prices/": "cloud_price",
    "/api/v1/applications/": "application",
    "/api/v1/concepts/": "concept",
    "/api/v1/sources/": "source",
    "/api/v1/benchmarks/": "benchmark",
}

# Body field -> (which known keys, whether the field takes a list).
REFERENCE_FIELDS = {
    "sources": ("source_url", True),
    "organizations": ("organization", True),
    "foundation_models": ("model", True),
    "related": ("concept", True),
    "parent": ("organization", False),
    "provider": ("organization", False),
    "vendor": ("organization", False),
    "foundry": ("organization", False),
    "organization": ("organization", False),
    "model": ("model", False),
    "base_model": ("model", False),
    "hardware": ("hardware", False),
}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Besides the generated value (which almost never exists), offer the key of a real row."""
    kind = next((kind for prefix, kind in PATH_KEYS.items() if context.operation.path.startswith(prefix)), None)
    keys = KNOWN.get(kind)
    if not keys or not isinstance(path_parameters, dict) or len(path_parameters) != 1:
        return st.just(path_parameters)
    (name,) = path_parameters
    return st.one_of(st.just(path_parameters), st.sampled_from(keys).map(lambda key: {name: key}))


@schema.hook
def flatmap_body(context, body):
    """Besides the generated body, offer it with every reference pointing at real rows, so writes can succeed."""
    if not isinstance(body, dict) or not KNOWN:
        return st.just(body)
    fields = {}
    for name in body:
        if name in REFERENCE_FIELDS:
            kind, many = REFERENCE_FIELDS[name]
            keys = KNOWN[kind]
            fields[name] = st.lists(st.sampled_from(keys), min_size=1, unique=True) if many else st.sampled_from(keys)
    if not fields:
        return st.just(body)
    return st.one_of(st.just(body), st.fixed_dictionaries(fields).map(lambda references: {**body, **references}))


@pytest.fixture(scope="module")
def catalog_rows(django_db_setup, django_db_blocker):
    """A few rows of every table, created once for the module and rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        paper = make_source("https://example.org/paper")
        paper.kind = "paper"
        paper.save()
        datasheet = make_source()
        lab = make_org("acme", is_model_developer=True, founded=2015, website="https://acme.example")
        chip_maker = make_org("chipco", is_chip_designer=True, parent=lab)
        cloud = make_org("cloudco", country="US", is_cloud_provider=True)
        fab = make_org("fabco", country="TW", is_foundry=True)
        base = make_model(
            "acme-lm",
            org=lab,
            parameters=70_000_000_000,
            active_parameters=70_000_000_000,
            release_date=datetime.date(2023, 5, 1),
            context_length=8192,
        )
        tuned = make_model("acme-lm-chat", org=lab, base_model=base, family="ACME", modality="code")
        tuned.organizations.add(chip_maker)
        npu = make_hardware(
            "acme-npu",
            vendor=chip_maker,
            foundry=fab,
            bf16_flops=4e14,
            tdp_watts=350,
            die_area_mm2=800,
            memory_bytes=64 * 2**30,
            memory_bandwidth=2e12,
            release_date=datetime.date(2024, 3, 1),
        )
        zero_tdp = make_hardware("acme-edge", vendor=chip_maker, bf16_flops=1e13, tdp_watts=0, kind="asic")
        make_price(base, cloud, "2023-06-01", "2024-01-01", input_price="2.00")
        make_price(base, cloud, "2024-01-01")
        make_price(tuned, lab, "2024-02-01", api_model_id="acme-lm-chat", tier="over-128k", input_price="0.50")
        run = TrainingRun.objects.create(
            slug="acme-lm-run", model=base, hardware=npu, chip_count=2048, duration_hours=720, utilization=0.4
        )
        run.sources.add(paper)
        instance = CloudPrice.objects.create(
            provider=cloud,
            hardware=npu,
            instance_type="npu.8x",
            accelerators_per_instance=8,
            region="us-east-1",
            price_per_hour=Decimal("40.0000"),
            effective_from=datetime.date(2024, 1, 1),
        )
        instance.sources.add(datasheet)
        app = Application.objects.create(slug="acme-chat", name="Acme Chat", organization=lab, category="assistant")
        app.foundation_models.add(base, tuned)
        app.sources.add(datasheet)
        concept = Concept.objects.create(
            slug="scaling-law",
            name_en="Scaling law",
            name_ko="스케일링 법칙",
            summary_en="More is more.",
            summary_ko="더.",
        )
        other = Concept.objects.create(
            slug="flops", name_en="FLOP/s", name_ko="플롭스", summary_en="Operations.", summary_ko="연산."
        )
        concept.related.add(other)
        concept.sources.add(paper)
        benchmarks = [
            record_run(report=benchmark_report()),
            record_run(report=benchmark_report(results=[], harness_overhead=None)),
        ]
        admin = get_user_model().objects.create_superuser("schemathesis", "staff@example.org", "not-used")
        Token.objects.create(user=admin, key=TOKEN_KEY)
        KNOWN.update(
            organization=[lab.slug, chip_maker.slug, cloud.slug, fab.slug],
            model=[base.slug, tuned.slug],
            hardware=[npu.slug, zero_tdp.slug],
            training_run=[run.slug],
            price=list(PricePoint.objects.values_list("pk", flat=True)),
            cloud_price=[instance.pk],
            application=[app.slug],
            concept=[concept.slug, other.slug],
            source=list(Source.objects.values_list("pk", flat=True)),
            source_url=list(Source.objects.values_list("url", flat=True)),
            benchmark=[run.pk for run in benchmarks],
        )
        yield
        KNOWN.clear()
        transaction.set_rollback(True)


@pytest.fixture
def in_process_requests(settings):
    """Let requests run inside the test's transaction, never throttled.

    Django's WSGI handler closes "old" connections when a request starts and ends; inside a test's
    transaction that would close it (django.test.Client disconnects the same signal handler).
    The staff token is throttled at the user rate, and the ignored_auth check sends anonymous requests.
    """
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "100000/minute", "user": "100000/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("catalog_rows", "in_process_requests")
@schema.parametrize()
@hypothesis.settings(
    deadline=None,
    suppress_health_check=[
        # Expected with generated bodies of 30+ fields and a fixed example budget.
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
def test_api_conforms_to_its_schema(case):
    # A 500's traceback is in the captured log (django.request); an error raised while a CSV streams, after
    # the status line went out, propagates here with its own traceback.
    # One savepoint per example, always rolled back: examples neither see nor depend on each other's writes.
    with transaction.atomic():
        try:
            # identity: the WSGI transport hands the body over as sent, and GZipMiddleware compresses for
            # clients that accept gzip (an HTTP client would undo it; this one would read gzip as JSON).
            case.call_and_validate(headers={"Authorization": f"Token {TOKEN_KEY}", "Accept-Encoding": "identity"})
        finally:
            transaction.set_rollback(True)
