"""CSV for every list endpoint: the list serializer's fields, flattened, streamed in chunks.

Values stay as the API gives them (SI numbers, ISO dates), machine-readable; each header is the API field
name followed by its unit from ``catalog.figures`` where the name does not already say it
("bf16_flops (FLOP/s)", "input_per_mtok (USD per 1M tokens)", "memory_bytes"): the text before " (" is the
JSON key, so the columns are stable and a script can strip the unit.

The export honours the list's filters and ordering but not its pagination: it is the whole selection,
written as it is read (``iterator`` with prefetching per chunk), never held in memory whole. Text a
spreadsheet would run as a formula is quoted (``catalog.csv_safety``).
"""

import csv
import io

from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer

from catalog.csv_safety import safe_cell
from catalog.figures import csv_header

CHUNK_SIZE = 500
JOIN = " | "


def flatten(value):
    """One cell: a related row becomes its slug (a source its URL); several are joined."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return value.get("slug") or value.get("url") or ""
    if isinstance(value, list):
        return JOIN.join(flatten(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class _Line(io.StringIO):
    """A csv.writer target that hands back each line instead of keeping it."""

    def write_row(self, writer, row):
        self.seek(0)
        self.truncate()
        writer.writerow(row)
        return self.getvalue()


def csv_lines(rows, columns):
    buffer = _Line()
    writer = csv.writer(buffer)
    yield buffer.write_row(writer, [csv_header(column) for column in columns])
    for row in rows:
        yield buffer.write_row(writer, [safe_cell(flatten(row.get(column))) for column in columns])


def serialized_rows(queryset, serializer_class, context):
    chunk = []
    for obj in queryset.iterator(chunk_size=CHUNK_SIZE):
        chunk.append(obj)
        if len(chunk) == CHUNK_SIZE:
            yield from serializer_class(chunk, many=True, context=context).data
            chunk = []
    if chunk:
        yield from serializer_class(chunk, many=True, context=context).data


def streaming_csv_response(queryset, serializer_class, context, filename):
    # Compile the SQL now: a query that cannot be built must fail before a 200 status has gone out.
    str(queryset.query)
    columns = list(serializer_class(context=context).fields)
    response = StreamingHttpResponse(
        csv_lines(serialized_rows(queryset, serializer_class, context), columns),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


class CSVRenderer(BaseRenderer):
    """Lists stream through ``streaming_csv_response``; this renders everything else (a row, an error)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        rows = data if isinstance(data, list) else [data]
        rows = [row if isinstance(row, dict) else {"value": row} for row in rows]
        columns = list(dict.fromkeys(column for row in rows for column in row))
        return "".join(csv_lines(rows, columns)).encode(self.charset)
