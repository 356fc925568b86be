"""Epoch AI's "Notable AI Models" table (see the package docstring for the decisions)."""

from collections import Counter

from django.utils.text import slugify

from catalog.importers.epoch.common import (
    ACCESS,
    CONFIDENCE,
    COUNTRIES,
    FIRST_FOUNDATION_YEAR,
    FOUNDATION_DOMAINS,
    MODEL_NOTE_COLUMNS,
    MODELS_REQUIRED,
    MODELS_SOURCE,
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
    plain_key,
    read_csv,
    source_record,
    text_of,
    with_alias,
    with_source,
)
from catalog.importers.records import ParsedFile, Record
from catalog.models import FoundationModel, Hardware, TrainingRun

# ---------------------------------------------------------------- models


def modality_of(domains):
    if "multimodal" in domains:
        return "multimodal"
    if "language" in domains and "vision" in domains:
        return "vision-language"
    for domain, modality in (
        ("language", "text"),
        ("image generation", "image"),
        ("video", "video"),
        ("speech", "speech"),
        ("audio", "speech"),
    ):
        if domain in domains:
            return modality
    return None


def model_values(row):
    return {
        "parameters": number(row, "Parameters", integer=True),
        "training_compute_flop": number(row, "Training compute (FLOP)"),
        "release_date": date_of(row, "Publication date"),
        "website": first_url(text_of(row, "Link"), 300),
    }


def model_notes(row):
    parts = [f"{label}: {text_of(row, column)}" for column, label in MODEL_NOTE_COLUMNS if text_of(row, column)]
    return "\n".join(parts)


def split_list(raw):
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


class TrainingInfo:
    def __init__(self, row):
        self.hardware = split_list(text_of(row, "Training hardware"))
        self.chip_count = number(row, "Hardware quantity", integer=True)
        self.hours = number(row, "Training time (hours)")
        self.utilization = number(row, "Hardware utilization")
        self.cost = number(row, "Training compute cost (2023 USD)")

    def summary(self):
        parts = []
        if self.hardware:
            parts.append(f"hardware {', '.join(self.hardware)}")
        if self.chip_count:
            parts.append(f"{self.chip_count} chips")
        if self.hours:
            parts.append(f"{self.hours:g} hours")
        if self.utilization is not None:
            parts.append(f"utilization {self.utilization:g}")
        text = f"Epoch's training run: {', '.join(parts)}." if parts else ""
        return f"{text} {self.cost_note()}".strip()

    def cost_note(self):
        return f"Epoch estimates the compute cost at {self.cost:,.0f} USD (2023 dollars)." if self.cost else ""


def organization_countries(rows):
    """Organization name -> ISO country, from every line where the two lists line up (or one country for all)."""
    found = {}
    for row in rows:
        names = split_list(text_of(row, "Organization"))
        countries = split_list(text_of(row, "Country (from Organization)"))
        if len(countries) != len(names) and len(set(countries)) == 1:
            countries = countries * len(names)
        if len(countries) == len(names):
            for name, country in zip(names, countries, strict=True):
                if COUNTRIES.get(country):
                    found.setdefault(name, COUNTRIES[country])
    return found


def model_organizations(row, organizations, countries, messages):
    slugs = []
    for name in split_list(text_of(row, "Organization")):
        slug = organizations.find(name)
        if not slug:
            country = countries.get(name)
            if country is None:
                messages.append(f"organization {name!r} left off: not in the catalog and its country is unknown")
                continue
            slug = organizations.create(
                name, country, roles=["is_model_developer"], notes="Created by the Epoch AI import."
            )
        if slug not in slugs:
            slugs.append(slug)
    return slugs


def parse_models(data, *, file_name="", table=""):
    lines = read_csv(data, MODELS_REQUIRED)
    url = MODELS_SOURCE["url"]
    models = existing_rows(
        FoundationModel, ["name", "aliases", "notes", "parameters", "training_compute_flop", "website"]
    )
    for slug, release_date in FoundationModel.objects.values_list("slug", "release_date"):
        models[slug]["release_date"] = None if release_date is None else release_date.isoformat()
    with_runs = set(TrainingRun.objects.values_list("model__slug", flat=True))
    runs = existing_rows(TrainingRun, ["chip_count", "duration_hours", "training_compute_flop", "utilization"])
    chips = NameIndex({"normalised": hardware_key, "loose": hardware_loose_key})
    for slug, name, aliases in Hardware.objects.values_list("slug", "name", "aliases"):
        chips.add(slug, [name, slug, *(aliases or [])])
    index = NameIndex({"plain": plain_key})
    for slug, row in models.items():
        index.add(slug, [row["name"], slug, *(row["aliases"] or [])])
    names = [text_of(row, "Model") for _, row in lines]
    matches = match_rows(names, index)
    organizations = Organizations(url)
    countries = organization_countries(row for _, row in lines)
    slugs = SlugMaker(models)
    skipped = Counter()

    records, run_records = [], []
    for position, (line, row) in enumerate(lines):
        name = names[position]
        slug = matches.get(position)
        domains = {domain.lower() for domain in split_list(text_of(row, "Domain"))}
        access = ACCESS.get(text_of(row, "Model accessibility").lower())
        if not slug:
            published = text_of(row, "Publication date")[:4]
            if not name:
                skipped["no name"] += 1
                continue
            if not domains & FOUNDATION_DOMAINS:
                skipped["domain outside language, multimodal, image, video, speech"] += 1
                continue
            if not published.isdigit() or int(published) < FIRST_FOUNDATION_YEAR:
                skipped[f"published before {FIRST_FOUNDATION_YEAR} or undated"] += 1
                continue
            if access is None:
                skipped["no model accessibility"] += 1
                continue
        record = Record(model=FoundationModel, fields={}, where=f"line {line}")
        try:
            values = model_values(row)
            training = TrainingInfo(row)
        except CellError as error:
            record.fields["slug"] = slug or slugify(name)[:80]
            record.errors.append(str(error))
            records.append(record)
            continue
        notes = model_notes(row)
        confidence = CONFIDENCE.get(text_of(row, "Confidence").lower(), "estimated")
        chip = chips.find(training.hardware[0]) if len(training.hardware) == 1 else None
        run_wanted = chip is not None and (not slug or slug not in with_runs or f"{slug}-epoch" in runs)
        extra = training.summary() if not run_wanted else training.cost_note()
        notes = "\n".join(part for part in (notes, extra) if part)

        if slug:
            current = models[slug]
            owned = current["sources"] == [url]
            record.fields.update(slug=slug, aliases=with_alias(current, name), sources=with_source(current, url))
            merge_into(record.fields, current, values, owned=owned, messages=record.notes)
            if notes and (not current["notes"] or (owned and notes not in current["notes"])):
                record.fields["notes"] = notes
            record.notes.insert(0, f"{name!r} matches the catalog's {current['name']!r}")
        else:
            org_slugs = model_organizations(row, organizations, countries, record.notes)
            if not org_slugs:
                skipped["no organization with a known country"] += 1
                continue
            slug = slugs.make(name, "model")
            record.fields = {
                "slug": slug,
                "name": name[:150],
                "organizations": org_slugs,
                "architecture": "unknown",
                "modality": modality_of(domains),
                "access": access,
                "release_date_precision": "day",
                **{key: value for key, value in values.items() if value not in (None, "")},
                "confidence": confidence,
                "notes": notes,
                "sources": [url],
            }
        records.append(record)
        if run_wanted:
            run_records.append(training_run_record(slug, chip, training, values, confidence, runs, line))

    summary = [f"{count} row(s) not imported: {reason}" for reason, count in sorted(skipped.items())]
    return ParsedFile(
        records=[source_record(MODELS_SOURCE, summary), *organizations.records.values(), *records, *run_records]
    )


def training_run_record(model_slug, chip, training, values, confidence, runs, line):
    url = MODELS_SOURCE["url"]
    slug = f"{model_slug}-epoch"[:80]
    record = Record(model=TrainingRun, fields={"slug": slug}, where=f"line {line} (training run)")
    utilization = training.utilization
    if utilization is not None and utilization > 1:
        record.notes.append(f"Hardware utilization {utilization:g} is not a fraction; left out")
        utilization = None
    epoch_values = {
        "chip_count": training.chip_count,
        "duration_hours": training.hours,
        "training_compute_flop": values.get("training_compute_flop"),
        "utilization": utilization,
    }
    if slug in runs:
        current = runs[slug]
        record.fields["sources"] = with_source(current, url)
        merge_into(record.fields, current, epoch_values, owned=current["sources"] == [url], messages=record.notes)
    else:
        record.fields.update(
            model=[model_slug],
            hardware=[chip],
            confidence=confidence,
            sources=[url],
            **{key: value for key, value in epoch_values.items() if value is not None},
        )
    return record
