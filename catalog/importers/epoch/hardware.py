"""Epoch AI's "Machine Learning Hardware" table (see the package docstring for the decisions)."""

from decimal import Decimal

from django.utils.text import slugify

from catalog.importers.epoch.common import (
    HARDWARE_KINDS,
    HARDWARE_NUMBER_COLUMNS,
    HARDWARE_REQUIRED,
    HARDWARE_SOURCE,
    CellError,
    NameIndex,
    Organizations,
    SlugMaker,
    date_of,
    existing_rows,
    first_url,
    hardware_key,
    hardware_loose_key,
    match_rows,
    merge_into,
    number,
    read_csv,
    source_record,
    text_of,
    with_alias,
    with_source,
)
from catalog.importers.records import ParsedFile, Record
from catalog.models import Hardware

# ---------------------------------------------------------------- hardware


def hardware_kind(raw):
    kind = HARDWARE_KINDS.get(raw.strip().lower())
    return (kind, None) if kind else ("asic", f"Epoch gives the type as {raw!r}; recorded as ASIC." if raw else None)


def hardware_values(row):
    """Epoch's figures for one chip, as Hardware fields (None when missing)."""
    values = {}
    for column, (name, multiplier, integer) in HARDWARE_NUMBER_COLUMNS.items():
        values[name] = number(row, column, multiplier=multiplier, integer=integer)
    price = number(row, "Release price (USD)")
    values["launch_price_usd"] = None if price is None else str(Decimal(str(price)).quantize(Decimal("0.01")))
    values["release_date"] = date_of(row, "Release date")
    values["website"] = first_url(text_of(row, "Link to datasheet"), 300)
    return values


def hardware_notes(row):
    notes = text_of(row, "Notes")
    price_source = first_url(text_of(row, "Source for the price"), 500)
    if price_source:
        notes = f"{notes}\nPrice source: {price_source}".strip()
    return notes


def parse_hardware(data, *, file_name="", table=""):
    lines = read_csv(data, HARDWARE_REQUIRED)
    url = HARDWARE_SOURCE["url"]
    numbers = [name for name, _, _ in HARDWARE_NUMBER_COLUMNS.values()]
    hardware = existing_rows(
        Hardware, ["name", "aliases", "notes", "launch_price_usd", "release_date", "website", *numbers]
    )
    for row in hardware.values():
        row["launch_price_usd"] = None if row["launch_price_usd"] is None else str(row["launch_price_usd"])
        row["release_date"] = None if row["release_date"] is None else row["release_date"].isoformat()
    index = NameIndex({"normalised": hardware_key, "loose": hardware_loose_key})
    for slug, row in hardware.items():
        index.add(slug, [row["name"], slug, *(row["aliases"] or [])])
    names = [text_of(row, "Hardware name") for _, row in lines]
    matches = match_rows(names, index)
    organizations = Organizations(url)
    slugs = SlugMaker(hardware)

    records = []
    for position, (line, row) in enumerate(lines):
        name = names[position]
        record = Record(model=Hardware, fields={}, where=f"line {line}")
        records.append(record)
        if not name:
            record.errors.append("Hardware name is empty")
            continue
        try:
            values = hardware_values(row)
        except CellError as error:
            record.fields["slug"] = matches.get(position) or slugify(name)[:80]
            record.errors.append(str(error))
            continue
        notes = hardware_notes(row)
        slug = matches.get(position)
        if slug:
            current = hardware[slug]
            owned = current["sources"] == [url]
            record.fields.update(slug=slug, aliases=with_alias(current, name), sources=with_source(current, url))
            if not owned:  # Epoch's prices are often analyst estimates the catalog leaves out on purpose
                values.pop("launch_price_usd")
            merge_into(record.fields, current, values, owned=owned, messages=record.notes)
            if notes and (not current["notes"] or (owned and notes not in current["notes"])):
                record.fields["notes"] = notes
            record.notes.insert(0, f"{name!r} matches the catalog's {current['name']!r}")
            continue

        kind, kind_note = hardware_kind(text_of(row, "Type"))
        manufacturer = text_of(row, "Manufacturer") or organizations.manufacturer_from_name(name) or ""
        vendor = organizations.manufacturer(manufacturer, role="is_chip_designer") if manufacturer else None
        foundries = [part.strip() for part in text_of(row, "Foundry").split(",") if part.strip()]
        foundry = organizations.manufacturer(foundries[0], role="is_foundry") if foundries else None
        extra = [kind_note] if kind_note else []
        if len(foundries) > 1:
            extra.append(f"Epoch lists the foundries {', '.join(foundries)}.")
        if foundries and foundry is None:
            extra.append(f"Foundry {foundries[0]!r} is not in the catalog.")
        record.fields = {
            "slug": slugs.make(name, "chip"),
            "name": name[:150],
            "vendor": [vendor] if vendor else None,
            "foundry": [foundry] if foundry else None,
            "kind": kind,
            "release_date_precision": "day",
            **{key: value for key, value in values.items() if value not in (None, "")},
            "confidence": "estimated" if "estimat" in notes.lower() else "reported",
            "notes": "\n".join([notes, *extra]).strip(),
            "sources": [url],
        }
        if not manufacturer:
            record.errors.append("Manufacturer is empty: a new chip needs a vendor")
        elif vendor is None:
            record.errors.append(
                f"manufacturer {manufacturer!r} is not in the catalog and its country is unknown: add the "
                "organization first (or give it an alias), then import again"
            )
    return ParsedFile(records=[source_record(HARDWARE_SOURCE), *organizations.records.values(), *records])
