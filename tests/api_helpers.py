"""Reading API responses in tests."""

import csv
import io


def results(response):
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


def slugs(response):
    return [row["slug"] for row in results(response)]


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode())))
