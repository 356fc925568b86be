"""The hostile-input tests again, under the production settings on a throwaway PostgreSQL database.

Runs with pytest, in the production environment (DEBUG off, a fresh secret key, the proxy settings, Redis
or the database cache, whitenoise's manifest storage after a real collectstatic), on PostgreSQL: the test
database is test_<--database>, created fresh and dropped afterwards. The one difference from production
is DJANGO_SECURE_SSL_REDIRECT=false, because the test client and Schemathesis speak plain HTTP (run_load.py
checks the redirect on the real server).

Selected: all of tests/test_api_schemathesis.py (every API operation against its OpenAPI schema, writes
included), tests/test_security.py and the hostile-review files (tests/test_hostile_http.py: off-site
redirects, Redis down or frozen, deep nesting, oversized bodies, throttle races, forged proxy headers under a
real gunicorn; tests/test_import_safety.py and tests/test_import_formats_hostile.py: import permissions,
concurrent imports, YAML bombs, NUL bytes, CSV formulas), plus the tests whose names speak of hostile input
(script injection, bad filters, payloads and files, unknown paths and slugs, files over the limit) in the
view, chart, API and import tests. Prints: operations, operations with a server error, with a schema
violation, and the other tests passed and failed. Exit status: pytest's (0 when all passed); 2 when the
run could not be made.

    .venv/bin/python loadtest/hostile.py
    .venv/bin/python loadtest/hostile.py --no-redis -k "GET and models" -- -x   # narrower; pytest options
"""

import argparse
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter

from common import (
    BIN,
    PG_SERVER,
    ROOT,
    Failed,
    drop_database,
    flush_redis,
    postgres_ready,
    production_env,
    run_script,
    run_step,
)

FILES = [
    "tests/test_api_schemathesis.py",
    "tests/test_security.py",
    "tests/test_hostile_http.py",
    "tests/test_import_safety.py",
    "tests/test_import_formats_hostile.py",
    "tests/test_views.py",
    "tests/test_charts.py",
    "tests/test_benchmark_pages.py",
    "tests/test_api_reads.py",
    "tests/test_api_writes.py",
    "tests/test_import.py",
    "tests/test_import_epoch.py",
    "tests/test_import_litellm.py",
]
KEYWORDS = (
    "schemathesis or security or hostile or import_safety or escaped or script or bad or malformed or invalid"
    " or unknown or over_the or refused or form_error or traceback"
)
SCHEMATHESIS_TEST = "test_api_conforms_to_its_schema"
SERVER_ERROR = ("Server error",)
SCHEMA_VIOLATIONS = (
    "Undocumented status code",
    "Response violates schema",
    "Undocumented Content-Type",
    "Missing Content-Type header",
    "Malformed media type",
    "Content deserialization error",
    "JSON deserialization error",
    "Missing required response headers",
    "Response header does not conform to the schema",
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="landscape_hostile", help="tests run on test_<this>")
    parser.add_argument("--pg", default=PG_SERVER, help=f"PostgreSQL server URL, no database (default {PG_SERVER})")
    parser.add_argument("--redis", action=argparse.BooleanOptionalAction, default=True, help="Redis cache, else DB")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15", help="tests FLUSH this database")
    parser.add_argument("--out", default="/tmp/landscape-hostile", help="folder for the logs and the JUnit XML")
    parser.add_argument("-k", dest="narrow", help="a pytest -k expression, ANDed with the selection")
    parser.add_argument("pytest_args", nargs="*", help="after --: more pytest arguments")
    return parser.parse_args()


def failure_text(case):
    return " ".join(
        (element.get("message") or "") + (element.text or "")
        for element in case
        if element.tag
        in {
            "failure",
            "error",
        }
    )


def summarize(junit):
    """Print the counts from pytest's JUnit XML; returns nothing, pytest's exit status decides."""
    cases = list(ET.parse(junit).getroot().iter("testcase"))
    operations = [case for case in cases if case.get("name", "").startswith(SCHEMATHESIS_TEST)]
    others = [case for case in cases if case not in operations]
    server_errors, violations, kinds = [], [], Counter()
    for case in operations:
        text = failure_text(case)
        kinds.update(title for title in (*SERVER_ERROR, *SCHEMA_VIOLATIONS) if title in text)
        name = re.sub(rf"^{SCHEMATHESIS_TEST}\[(.*)\]$", r"\1", case.get("name"))
        if any(title in text for title in SERVER_ERROR):
            server_errors.append(name)
        if any(title in text for title in SCHEMA_VIOLATIONS):
            violations.append(name)
    failed_operations = [case for case in operations if failure_text(case)]
    skipped = sum(1 for case in cases if case.find("skipped") is not None)
    failed_others = [f"{case.get('classname')}::{case.get('name')}" for case in others if failure_text(case)]

    print(f"\nAPI operations (Schemathesis)    {len(operations)}")
    print(f"  with a server error            {len(server_errors)}  {', '.join(server_errors)}")
    print(f"  with a schema violation        {len(violations)}  {', '.join(violations)}")
    print(f"  failed in any way              {len(failed_operations)}")
    if kinds:
        print("  failures by kind               " + ", ".join(f"{kind}: {n}" for kind, n in kinds.most_common()))
    print(f"other hostile-input tests        {len(others) - len(failed_others)} passed, {len(failed_others)} failed")
    for name in failed_others:
        print(f"  FAILED {name}")
    if skipped:
        print(f"skipped                          {skipped}")


def run(args, out):
    if not postgres_ready(args.pg):
        raise Failed(f"PostgreSQL does not accept connections at {args.pg}")
    test_database = f"test_{args.database}"
    if args.redis:
        flush_redis(args.redis_url)
    env = production_env(
        f"{args.pg.rstrip('/')}/{args.database}",
        redis_url=args.redis_url if args.redis else "",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_STATICFILES_STORAGE="whitenoise.storage.CompressedManifestStaticFilesStorage",
    )
    # The manifest storage needs the collected files and their manifest, as in production.
    collect = [str(BIN / "python"), "manage.py", "collectstatic", "--no-input", "--verbosity", "0"]
    run_step(collect, out / "setup.log", env)
    drop_database(args.pg, test_database)
    junit = out / "junit.xml"
    command = [str(BIN / "pytest"), "--create-db", "-p", "no:cacheprovider", f"--junitxml={junit}", "-q"]
    keywords = f"({KEYWORDS}) and ({args.narrow})" if args.narrow else KEYWORDS
    command += ["-k", keywords, *FILES, *args.pytest_args]
    print(f"pytest on {test_database} (production settings); log in {out / 'pytest.log'}")
    started = time.monotonic()
    try:
        with open(out / "pytest.log", "w") as log:
            code = subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT).returncode
    finally:
        drop_database(args.pg, test_database)
    print("\n".join((out / "pytest.log").read_text(errors="replace").splitlines()[-3:]))
    print(f"({time.monotonic() - started:.0f} s)")
    if not junit.exists():
        raise Failed(f"pytest wrote no report (exit {code}); see {out / 'pytest.log'}")
    summarize(junit)
    return code


def main():
    return run_script(run, parse_args(), lambda code, out: f" (pytest exit {code})")


if __name__ == "__main__":
    sys.exit(main())
