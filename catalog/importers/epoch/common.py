"""What both Epoch tables share: cells, name matching, the catalog read once, organizations."""

import csv
import datetime
import io
import math
import re
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify

from catalog.importers.fixture import FormatError, decode
from catalog.importers.records import Record
from catalog.models import Organization, Source

HARDWARE_SOURCE = {
    "url": "https://epoch.ai/data/machine-learning-hardware",
    "title": "Data on Machine Learning Hardware",
    "publisher": "Epoch AI",
    "kind": "database",
    "licence": "CC BY 4.0",
    "notes": "CC BY 4.0: credit Epoch AI. Secondary source; SI units; per-field notes in its Notes column.",
}
MODELS_SOURCE = {
    "url": "https://epoch.ai/data/notable-ai-models",
    "title": "Notable AI Models (Parameter, Compute and Data Trends in Machine Learning)",
    "publisher": "Epoch AI",
    "kind": "database",
    "licence": "CC BY 4.0",
    "notes": "CC BY 4.0: credit Epoch AI. Secondary source with per-field notes and a confidence column.",
}

MISSING_WORDS = {"", "infinity", "-infinity", "+infinity", "inf", "-inf", "nan"}
RELATIVE_TOLERANCE = 0.01  # values closer than this are the same figure, rounded differently

# Words that name a vendor or a brand rather than a chip: dropped when names are compared.
HARDWARE_NOISE = {"nvidia", "tesla", "amd", "radeon", "google", "amazon", "aws", "intel", "habana", "huawei"}

# Epoch's chip manufacturers and foundries, with the country a new organization needs (normalised name ->
# slug, name, ISO country). An existing catalog organization with the same slug or name is used instead.
KNOWN_MANUFACTURERS = {
    "nvidia": ("nvidia", "NVIDIA", "US"),
    "amd": ("amd", "AMD", "US"),
    "intel": ("intel", "Intel", "US"),
    "google": ("google", "Google", "US"),
    "amazonaws": ("aws", "Amazon Web Services", "US"),
    "amazon": ("amazon", "Amazon", "US"),
    "aws": ("aws", "Amazon Web Services", "US"),
    "microsoft": ("microsoft", "Microsoft", "US"),
    "meta": ("meta", "Meta Platforms", "US"),
    "tesla": ("tesla", "Tesla", "US"),
    "groq": ("groq", "Groq", "US"),
    "cerebras": ("cerebras", "Cerebras Systems", "US"),
    "huawei": ("huawei", "Huawei", "CN"),
    "alibaba": ("alibaba", "Alibaba Group", "CN"),
    "kunlunxinbaidu": ("kunlunxin", "Kunlunxin", "CN"),
    "cambricon": ("cambricon", "Cambricon", "CN"),
    "metax": ("metax", "MetaX", "CN"),
    "iluvatarcorex": ("iluvatar-corex", "Iluvatar CoreX", "CN"),
    "nationaluniversityofdefensetechnology": ("nudt", "National University of Defense Technology", "CN"),
    "moorethreadstencent": ("moore-threads", "Moore Threads", "CN"),
    "moorethreads": ("moore-threads", "Moore Threads", "CN"),
    "sunway": ("sunway", "Sunway", "CN"),
    "biren": ("biren", "Biren Technology", "CN"),
    "hygon": ("hygon", "Hygon", "CN"),
    "pezy": ("pezy", "PEZY Computing", "JP"),
    "tsmc": ("tsmc", "TSMC", "TW"),
    "samsung": ("samsung", "Samsung Electronics", "KR"),
    "smic": ("smic", "SMIC", "CN"),
}

# Epoch's spellings of catalog organizations that no normalisation can find (normalised name -> slug).
ORGANIZATION_HINTS = {
    "amazonaws": "aws",
    "kunlunxinbaidu": "kunlunxin",
    "moorethreadstencent": "moore-threads",
    "googledeepmind": "google",
    "deepmind": "google",
    "googlebrain": "google",
    "googleresearch": "google",
    "metaai": "meta",
    "facebook": "meta",
    "facebookai": "meta",
    "facebookairesearch": "meta",
    "microsoftresearch": "microsoft",
    "beijingacademyofartificialintelligencebaai": "baai",
    "technologyinnovationinstitute": "tii",
}

# Epoch's country names (ISO 3166 short names, mostly) -> ISO 3166-1 alpha-2. "Multinational" has no code.
COUNTRIES = {
    "Argentina": "AR",
    "Australia": "AU",
    "Austria": "AT",
    "Belgium": "BE",
    "Canada": "CA",
    "China": "CN",
    "Czechia": "CZ",
    "Denmark": "DK",
    "Finland": "FI",
    "France": "FR",
    "Germany": "DE",
    "Hong Kong": "HK",
    "India": "IN",
    "Iran (Islamic Republic of)": "IR",
    "Ireland": "IE",
    "Israel": "IL",
    "Italy": "IT",
    "Japan": "JP",
    "Korea (Republic of)": "KR",
    "Netherlands": "NL",
    "Norway": "NO",
    "Poland": "PL",
    "Russia": "RU",
    "Saudi Arabia": "SA",
    "Singapore": "SG",
    "Spain": "ES",
    "Sweden": "SE",
    "Switzerland": "CH",
    "Taiwan": "TW",
    "United Arab Emirates": "AE",
    "United Kingdom of Great Britain and Northern Ireland": "GB",
    "United States of America": "US",
}

HARDWARE_KINDS = {
    "gpu": "gpu",
    "gpgpu": "gpu",
    "dcu (gpgpu)": "gpu",
    "tpu": "tpu",
    "npu": "npu",
    "lpu": "lpu",
    "hybrid cpu": "cpu",
    "cpu": "cpu",
    "asic": "asic",
}

ACCESS = {
    "open weights (unrestricted)": "open-weights",
    "open weights (non-commercial)": "open-weights",
    "open weights (restricted use)": "open-weights",
    "api access": "api",
    "hosted access (no api)": "hosted",
    "unreleased": "unreleased",
}

CONFIDENCE = {"confident": "reported", "likely": "estimated", "speculative": "speculative", "unknown": "estimated"}

FOUNDATION_DOMAINS = {"language", "multimodal", "image generation", "video", "speech", "audio"}
FIRST_FOUNDATION_YEAR = 2018

# Epoch hardware column -> (Hardware field, multiplier, integer?)
HARDWARE_NUMBER_COLUMNS = {
    "Tensor-FP16/BF16 performance (FLOP/s)": ("bf16_flops", 1, False),
    "FP8 performance (FLOP/s)": ("fp8_flops", 1, False),
    "FP4 performance (FLOP/s)": ("fp4_flops", 1, False),
    "FP64 (double precision) performance (FLOP/s)": ("fp64_flops", 1, False),
    "FP32 (single precision) performance (FLOP/s)": ("fp32_flops", 1, False),
    "TF32 (TensorFloat-32) performance (FLOP/s)": ("tf32_flops", 1, False),
    "INT8 performance (OP/s)": ("int8_ops", 1, False),
    "Memory (bytes)": ("memory_bytes", 1, True),
    "Memory bandwidth (byte/s)": ("memory_bandwidth", 1, False),
    "Intranode bandwidth (byte/s)": ("interconnect_bandwidth", 1, False),
    "TDP (W)": ("tdp_watts", 1, False),
    "Die Size (mm^2)": ("die_area_mm2", 1, False),
    "Process size (nm)": ("process_nm", 1, False),
    "Transistors (millions)": ("transistors", 1_000_000, True),
}
HARDWARE_REQUIRED = ["Hardware name", "Manufacturer"]
MODELS_REQUIRED = ["Model", "Organization", "Publication date", "Domain"]
MODEL_NOTE_COLUMNS = [
    ("Parameters notes", "Parameters"),
    ("Training compute notes", "Training compute"),
    ("Training time notes", "Training time"),
    ("Compute cost notes", "Compute cost"),
    ("Accessibility notes", "Accessibility"),
]


# ---------------------------------------------------------------- reading cells


class CellError(ValueError):
    pass


def text_of(row, column):
    return (row.get(column) or "").strip()


def number(row, column, *, multiplier=1, integer=False):
    raw = text_of(row, column).replace(",", "")
    if raw.lower() in MISSING_WORDS:
        return None
    try:
        value = float(raw) * multiplier
    except ValueError:
        raise CellError(f"{column}: {raw!r} is not a number") from None
    if math.isnan(value) or math.isinf(value):
        return None
    return round(value) if integer else value


def date_of(row, column):
    raw = text_of(row, column)
    if raw.lower() in MISSING_WORDS:
        return None
    try:
        return datetime.date.fromisoformat(raw[:10]).isoformat()
    except ValueError:
        raise CellError(f"{column}: {raw!r} is not a date (YYYY-MM-DD)") from None


def first_url(raw, limit):
    validate = URLValidator(schemes=["http", "https"])
    for candidate in re.split(r"[\s,;]+", raw or ""):
        if candidate and len(candidate) <= limit:
            try:
                validate(candidate)
            except ValidationError:
                continue
            return candidate
    return ""


def read_csv(data, required):
    text = decode(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in reader.fieldnames or []]
        reader.fieldnames = header
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise FormatError(f"The CSV cannot be parsed at line {reader.line_num}: {error}") from error
    if not header:
        raise FormatError("The CSV is empty: the first line must name the columns.")
    missing = [name for name in required if name not in header]
    if missing:
        raise FormatError(
            f"Missing required column(s): {', '.join(missing)}. Is this the right Epoch AI table? "
            f"The columns found are: {', '.join(header)}."
        )
    if not rows:
        raise FormatError("The file holds no records: no line under the header.")
    return rows


# ---------------------------------------------------------------- matching names


def plain_key(name):
    """Lower case, letters and digits only, "80 GB" as "80gb"."""
    lowered = re.sub(r"(\d)\s+gb\b", r"\1gb", (name or "").lower())
    return "".join(re.findall(r"[a-z0-9]+", lowered))


def hardware_words(name):
    lowered = re.sub(r"(\d)\s+gb\b", r"\1gb", (name or "").lower())
    words = re.findall(r"[a-z0-9]+", lowered)
    kept = [word for word in words if word not in HARDWARE_NOISE]
    return kept or words


def hardware_key(name):
    return "".join(hardware_words(name))


def hardware_loose_key(name):
    return "".join(word for word in hardware_words(name) if not re.fullmatch(r"\d+gb", word))


class NameIndex:
    """Catalog rows by name, slug and aliases, in tiers; a tier answers only when it names exactly one row."""

    def __init__(self, keys):
        self.keys = keys  # tier name -> function(name) -> key
        self.tiers = {tier: defaultdict(set) for tier in ("exact", *keys)}

    def add(self, slug, names):
        for name in names:
            if not isinstance(name, str) or not name.strip():
                continue
            self.tiers["exact"][name.strip().lower()].add(slug)
            for tier, key in self.keys.items():
                if key(name):
                    self.tiers[tier][key(name)].add(slug)

    def lookup(self, tier, name):
        key = name.strip().lower() if tier == "exact" else self.keys[tier](name)
        found = self.tiers[tier].get(key, set())
        return next(iter(found)) if len(found) == 1 else None

    def find(self, name):
        for tier in self.tiers:
            slug = self.lookup(tier, name)
            if slug:
                return slug
        return None


def match_rows(names, index):
    """Each line's catalog slug (or None), tier by tier, never two lines on one row."""
    matches, claimed = {}, set()
    for tier in index.tiers:
        for position, name in enumerate(names):
            if position in matches or not name:
                continue
            slug = index.lookup(tier, name)
            if slug and slug not in claimed:
                matches[position] = slug
                claimed.add(slug)
    return matches


class SlugMaker:
    def __init__(self, taken):
        self.taken = set(taken)

    def make(self, name, fallback):
        base = (slugify(name) or fallback)[:80].strip("-") or fallback
        slug, counter = base, 2
        while slug in self.taken:
            suffix = f"-{counter}"
            slug, counter = f"{base[: 80 - len(suffix)]}{suffix}", counter + 1
        self.taken.add(slug)
        return slug


# ---------------------------------------------------------------- the catalog, read once


def existing_rows(model, fields):
    """slug -> {field: value, "sources": [urls]}, in two queries."""
    rows = {row["slug"]: {**row, "sources": []} for row in model.objects.values("slug", *fields)}
    through = model.sources.through
    owner = model._meta.model_name
    for link in through.objects.values(f"{owner}__slug", "source__url"):
        rows[link[f"{owner}__slug"]]["sources"].append(link["source__url"])
    return rows


def source_record(source, notes=()):
    """The Epoch dataset first, created if missing; an existing one is left as it is."""
    fields = {"url": source["url"]} if Source.objects.filter(url=source["url"]).exists() else dict(source)
    return Record(model=Source, fields=fields, where="(the Epoch AI dataset)", notes=list(notes))


def same_value(before, after):
    if before is None or after is None:
        return before == after
    if isinstance(after, str) or isinstance(before, str):
        return str(before) == str(after)
    before, after = float(before), float(after)
    return math.isclose(before, after, rel_tol=RELATIVE_TOLERANCE)


def shown(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)


QUIET_FIELDS = {"website"}  # filled when empty, but a different link is no disagreement worth reporting


def merge_into(fields, current, epoch_values, *, owned, messages):
    """Fill what the catalog leaves empty; where both have a value that differs, keep the catalog's and say so.

    A row the Epoch table alone backs (``owned``) takes Epoch's values instead.
    """
    for name, value in epoch_values.items():
        if value is None or value == "":
            continue
        before = current.get(name)
        if before is None or before == "":
            fields[name] = value
        elif name in QUIET_FIELDS and not owned:
            continue
        elif not same_value(before, value):
            if owned:
                fields[name] = value
            else:
                messages.append(f"{name}: Epoch says {shown(value)}; the catalog keeps {shown(before)}.")


def with_alias(current, epoch_name):
    aliases = list(current.get("aliases") or [])
    known = {current.get("name", "").lower(), *(alias.lower() for alias in aliases if isinstance(alias, str))}
    if epoch_name.lower() not in known:
        aliases.append(epoch_name)
    return aliases


def with_source(current, url):
    urls = list(current.get("sources") or [])
    return urls if url in urls else [*urls, url]


# ---------------------------------------------------------------- organizations


class Organizations:
    """Finds or creates the organizations a file names; emits one record per organization it touches."""

    def __init__(self, source_url):
        self.source_url = source_url
        self.rows = existing_rows(Organization, ["name", "aliases"])
        self.index = NameIndex({"plain": plain_key})
        for slug, row in self.rows.items():
            self.index.add(slug, [row["name"], slug, *(row["aliases"] or [])])
        self.slugs = SlugMaker(self.rows)
        self.records = {}  # slug -> Record, created or given an alias by this file
        self.created = {}  # plain key -> slug, organizations this file creates

    def find(self, name):
        slug = self.index.find(name) or self.created.get(plain_key(name))
        hint = ORGANIZATION_HINTS.get(plain_key(name))
        if not slug and hint and (hint in self.rows or hint in self.records):
            slug = hint
        if slug and slug in self.rows:
            self._alias(slug, name)
        return slug

    def _alias(self, slug, name):
        current = self.rows[slug]
        aliases = with_alias(current, name)
        if aliases == list(current["aliases"] or []) or slug.lower() == name.strip().lower():
            return
        record = self.records.get(slug)
        if record is None:
            record = Record(model=Organization, fields={"slug": slug}, where=f"organization {current['name']!r}")
            self.records[slug] = record
        current["aliases"] = aliases
        record.fields["aliases"] = aliases
        record.fields["sources"] = with_source(current, self.source_url)

    def create(self, name, country, *, roles, notes):
        known = KNOWN_MANUFACTURERS.get(plain_key(name))
        slug = known[0] if known and known[0] not in self.rows and known[0] not in self.records else None
        slug = slug or self.slugs.make(name, "organization")
        self.slugs.taken.add(slug)
        fields = {
            "slug": slug,
            "name": known[1] if known else name[:150],
            "country": country,
            "aliases": [name] if known and known[1] != name else [],
            "sources": [self.source_url],
            "notes": notes,
            **dict.fromkeys(roles, True),
        }
        self.records[slug] = Record(model=Organization, fields=fields, where=f"organization {name!r}")
        self.created[plain_key(name)] = slug
        return slug

    def manufacturer(self, name, *, role):
        """A chip vendor or foundry: found, or created from KNOWN_MANUFACTURERS, or None."""
        slug = self.find(name)
        if slug:
            return slug
        known = KNOWN_MANUFACTURERS.get(plain_key(name))
        if known is None:
            return None
        if known[0] in self.rows:
            self._alias(known[0], name)
            return known[0]
        if known[0] in self.records:
            return known[0]
        return self.create(
            name, known[2], roles=[role], notes="Created by the Epoch AI import; country from the importer's table."
        )

    def manufacturer_from_name(self, chip_name):
        """An empty Manufacturer: the known manufacturer the chip name starts with, if any."""
        key = plain_key(chip_name)
        for known_key in sorted(KNOWN_MANUFACTURERS, key=len, reverse=True):
            if len(known_key) >= 3 and key.startswith(known_key):
                return KNOWN_MANUFACTURERS[known_key][1]
        return None
