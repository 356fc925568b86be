"""LiteLLM's price map (``model_prices_and_context_window.json``) as price points of the catalog.

The map is one JSON object keyed by provider-specific model ids ("gpt-4o", "azure/gpt-4o",
"bedrock/us-west-2/meta.llama3-70b-instruct-v1:0"), each entry with a ``litellm_provider``, a ``mode``
and prices in USD per token. It keeps no history and no dates. How it becomes catalog rows, and why:

Date. The prices are dated by the file's own top-level ``last_updated`` (the mirror we read writes
one); failing that, by a date in the file name (``..._2026-07-24.json``); failing both, by today, and
the report says so. The field wins over the name because the name is whatever the uploader called it.

Periods. A price point is one period of an offering (provider + API model id + context tier). For
each priced tier of a matched entry, the period of that offering in force on the file's date decides:
- same prices: unchanged (a record identical to that period, so the engine counts it unchanged);
- other prices, and the period is the open one: it is closed on the file's date (an update setting
  ``effective_to``) and a new one opens that day. The real change may have come earlier; LiteLLM does
  not say when, and the new row's notes say so. A cache price the catalog lacked counts as a change
  (it is new information from that date on); a cache price the file lacks is unknown, not zero, and
  is not compared;
- other prices equal to an earlier period's of the same offering: LiteLLM is most likely behind the
  catalog (prices rarely go back up to an old level), so nothing is written and the notes name it;
- other prices on a period that starts on the file's date: that period is corrected (a re-issued
  snapshot of the same day);
- other prices on a closed period, or a file dated before the offering's latest period: an error for
  that entry, so an older snapshot cannot rewrite history (and, all or nothing, the file is refused);
- every period ended before the file's date: not reopened (LiteLLM keeps retired models for cost
  tracking); counted in the notes.
A tier the file does not list is left alone: absence from the map is not evidence that a price ended.

Providers. ``PROVIDERS`` maps a ``litellm_provider`` to the organization that bills for it: the labs'
own APIs, and the clouds the catalog knows (Bedrock -> aws, where the bundled data keeps Bedrock
prices; Azure -> microsoft; Vertex AI -> google). A provider missing from the table, or whose
organization is not in the database, is never created: its entries become unmatched offerings with
no provider and ``provider_name`` as LiteLLM spells it. When two entries of one organization name the
same API model id (Gemini API and Vertex AI both list "gemini-2.5-pro"; "deepseek-chat" and
"deepseek/deepseek-chat"), the provider listed first in the table wins, then the id without a routing
prefix; a repeat with the same prices is counted and dropped, one with other prices is kept for review.

Models. An entry's API model id is its key without the routing prefix ("azure/gpt-4o" -> "gpt-4o").
It is matched, in order, to the model of that provider's existing price points for the same id (the
model of the latest period: an alias such as "deepseek-chat" may have moved between models, and a
curator re-points it); to exactly one foundation model whose slug, name or alias equals the id (or the
full key) once normalised ("gpt-4.1" = "GPT-4.1" = "gpt-4-1"); then to one whose name equals the id's
canonical name (``offering_names``: without the host's path, region, pin and serving suffix); then, for
a dated snapshot ("gpt-5-2025-08-07", dated no later than the file), to its undated model when that
model lists no snapshot of another date among its aliases (Claude 3.5 Sonnet's "-20241022" is not its
"-20240620"). Matches are not written back as aliases: the new price point's ``api_model_id`` already
remembers the id, and an import of prices should not edit models.

New models. An entry no model matches becomes a model of its own when its canonical name says who
makes it (``offering_names.MAKERS``: "qwen3-coder-30b-a3b" is Alibaba's) and that organization is in
the catalog: one model per product (its releases "-2407", "-preview", "-2025-08-07" together), slug the
product's canonical name (so the next import matches it), the ids as aliases, confidence "estimated",
access open weights only for a family whose maker publishes weights that a host serving only open
weights bills for, release date the earliest snapshot date in its ids (else unknown), and notes saying
all this. Nothing is made where the match might be an existing model: a product name or a size-less
name the catalog already holds ("llama-4-maverick-17b-128e" beside "Llama 4 Maverick"), a pointer
("-latest"), a bare family ("claude"), or a maker the table does not name.

Unmatched. Entries with per-token prices that are still not placed become ``UnmatchedOffering`` rows
(one per tier, the key as the file writes it, the entry in ``details``), saved when the import is
applied, for the curators' queue. Ones already kept from the same date are not counted again.

Tiers. ``cache_read_input_token_cost`` -> ``cached_input_per_mtok``; ``*_above_200k_tokens`` (and
128k, 256k, 272k, 512k) -> a separate price point with tier "over-200k" etc., where a price the file
gives only for the base tier carries over (the file lists what changes above the threshold);
``tiered_pricing`` ranges -> tiers named by range ("0-32k", "32k-128k", "256k-1m"), as the bundled
Qwen prices are. Batch, flex and priority prices are service levels, not context tiers: skipped, and
so are cache-write and audio/image-token prices, which the catalog has no field for.

Modes. ``chat``, ``completion``, ``responses`` and ``embedding`` entries are imported: a price point is
input and output per text token, and the others are priced per image, second, character, query or page.
They are skipped, counted by mode in the notes; so are entries without both per-token prices. An
embedding has no output tokens, so its output price is 0, and it is filed only under an embedding model
(a chat model LiteLLM lists as an embedding waits for review): the task keeps the price comparisons
like with like (``PricePointQuerySet.comparable``).

Trust. Every new price point cites the LiteLLM source (the record for it comes first in the file;
``retrieved_on`` moves forward to the file's date) with confidence "reported": the prices are the
providers' list prices, relayed by a secondary source; the notes say so and that the start date is
the snapshot's, not the announcement's.

Performance. Organizations, models (with aliases), price points and already-kept unmatched offerings
are loaded once; only entries that match become records for the engine, so the queries grow with the
matched entries, not with the ~3,000 entries of the map.

Bad input. A file that cannot be read at all (not UTF-8, malformed or truncated JSON, not an object,
no model entries) raises ``FormatError``. A price that is not a non-negative number, or too large for
a price point, is an error row naming the entry, matched or not, so the whole file is refused and
nothing is written; so is a ``tiered_pricing`` range that is not [from, to].

File-wide remarks (the date used, what was skipped and why) are notes on the source record: the run's
rows keep them; a confirmed price (unchanged) does not add the LiteLLM citation to a curated row.
"""

import datetime
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from catalog.choices import Task
from catalog.importers.fixture import FormatError, decode, json_document
from catalog.importers.offering_names import (
    OPEN_FAMILIES,
    canonical_name,
    display_name,
    has_size,
    is_family_word,
    maker_of,
    normalised,
    product_name,
    snapshot,
    without_size,
)
from catalog.importers.records import ParsedFile, Record
from catalog.models import FoundationModel, Organization, PriceCheck, PricePoint, Source, UnmatchedOffering
from catalog.models.pricing import TOKEN_PRICE_CEILING_USD

SOURCE_URL = "https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json"
SOURCE_FIELDS = {
    "title": "model_prices_and_context_window.json",
    "publisher": "LiteLLM (BerriAI)",
    "kind": "database",
    "licence": "MIT",
    "notes": "MIT. Current prices only, per token, keyed by provider-specific model id; no history.",
}

# litellm_provider -> organization slug. Within one organization, earlier providers win a shared id.
PROVIDERS = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "anthropic": "anthropic",
    "gemini": "google",
    "vertex_ai-language-models": "google",
    "vertex_ai-text-models": "google",
    "vertex_ai": "google",
    "vertex_ai-anthropic_models": "google",
    "vertex_ai-mistral_models": "google",
    "vertex_ai-llama_models": "google",
    "vertex_ai-ai21_models": "google",
    "vertex_ai-qwen_models": "google",
    "vertex_ai-deepseek_models": "google",
    "vertex_ai-openai_models": "google",
    "vertex_ai-zai_models": "google",
    "vertex_ai-minimax_models": "google",
    "vertex_ai-moonshot_models": "google",
    "palm": "google",
    "mistral": "mistral-ai",
    "codestral": "mistral-ai",
    "text-completion-codestral": "mistral-ai",
    "deepseek": "deepseek",
    "dashscope": "alibaba",
    "xai": "xai",
    "moonshot": "moonshot-ai",
    "zai": "zhipu-ai",
    "cohere_chat": "cohere",
    "cohere": "cohere",
    "ai21": "ai21-labs",
    "amazon_nova": "amazon",
    "meta_llama": "meta",
    "bedrock_converse": "aws",
    "bedrock": "aws",
    "azure": "microsoft",
    "azure_text": "microsoft",
    "azure_ai": "microsoft",
    "oci": "oracle",
    "watsonx": "ibm",
    "groq": "groq",
    "cerebras": "cerebras",
    "nvidia_nim": "nvidia",
    "tencent": "tencent",
    # Inference hosts and gateways: they bill for the tokens, so a price is theirs.
    "together_ai": "together-ai",
    "fireworks_ai": "fireworks-ai",
    "deepinfra": "deepinfra",
    "openrouter": "openrouter",
    "vercel_ai_gateway": "vercel",
    "replicate": "replicate",
    "novita": "novita-ai",
    "baseten": "baseten",
    "perplexity": "perplexity",
    "nebius": "nebius",
    "sambanova": "sambanova",
    "cloudflare": "cloudflare",
    "crusoe": "crusoe",
    "ovhcloud": "ovhcloud",
    "hyperbolic": "hyperbolic",
    "anyscale": "anyscale",
    "snowflake": "snowflake",
    "wandb": "weights-and-biases",
    "gmi": "gmi-cloud",
    "lambda_ai": "lambda",
    "databricks": "databricks",
    "scaleway": "scaleway",
    "nscale": "nscale",
    "featherless_ai": "featherless-ai",
    "friendliai": "friendliai",
}
PROVIDER_ORDER = {name: index for index, name in enumerate(PROVIDERS)}
# The first path segment of a key that routes it to one of those providers ("azure/gpt-4o").
ROUTE_PREFIXES = {*PROVIDERS, "amazon-nova"}

TOKEN_MODES = {"chat", "completion", "responses", "embedding"}
EMBEDDING = "embedding"


def task_of(mode):
    """The task of a model an entry of this mode makes."""
    return Task.EMBEDDING if mode == EMBEDDING else Task.CHAT


def fits(task, mode):
    """Whether an entry of ``mode`` may be priced under a model of ``task``: an embedding's price under an
    embedding model only, and only an embedding's there (price comparisons keep to one task)."""
    return (task == Task.EMBEDDING) == (mode == EMBEDDING)


MILLION = Decimal(1_000_000)
QUANTUM = Decimal("0.000001")
PRICE_LIMIT = Decimal(1_000_000)  # PricePoint prices have 12 digits, 6 after the point
ABOVE = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")
FILE_DATE = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")
STANDARD = "standard"
SHOWN = 5  # ids named in a note before "..."
NO_MODEL = "no model"
NOT_A_MODEL = re.compile(r"-latest$|-draft\b")  # a pointer that moves between models; a speculative-decoding draft
# Hosts that run models from published weights on their own machines (no closed lab hands them its weights).
OPEN_WEIGHTS_HOSTS = {
    "together_ai", "fireworks_ai", "deepinfra", "groq", "cerebras", "novita", "baseten", "nebius", "sambanova",
    "cloudflare", "crusoe", "ovhcloud", "hyperbolic", "anyscale", "lambda_ai", "scaleway", "nscale",
    "featherless_ai", "friendliai", "replicate", "gmi", "wandb", "nvidia_nim",
}  # fmt: skip


def billed_id(key):
    """The id as the provider bills it: the key without a routing prefix ("azure/gpt-4o" -> "gpt-4o")."""
    prefix, _, rest = key.partition("/")
    return rest if rest and prefix in ROUTE_PREFIXES else key


def tokens_label(count):
    count = int(count)
    if count and count % 1_000_000 == 0:
        return f"{count // 1_000_000}m"
    if count and count % 1000 == 0:
        return f"{count // 1000}k"
    return str(count)


def some(names):
    names = sorted(names)
    return ", ".join(names[:SHOWN]) + (", ..." if len(names) > SHOWN else "")


@dataclass(frozen=True)
class Prices:
    input: Decimal
    output: Decimal
    cached: Decimal | None

    def fields(self):
        values = {"input_per_mtok": str(self.input), "output_per_mtok": str(self.output)}
        if self.cached is not None:
            values["cached_input_per_mtok"] = str(self.cached)
        return values

    def same_as(self, period):
        return (
            period.currency == "USD"
            and period.input_per_mtok == self.input
            and period.output_per_mtok == self.output
            and (self.cached is None or period.cached_input_per_mtok == self.cached)
        )


@dataclass
class Entry:
    key: str
    provider_name: str
    mode: str
    raw: dict
    tiers: dict  # tier -> Prices
    organization: Organization | None = None
    api_model_id: str = ""

    @property
    def routed(self):
        return self.api_model_id != self.key

    def where(self, tier=STANDARD):
        return f"entry '{self.key}'" + ("" if tier == STANDARD else f" ({tier})")

    @property
    def retired_on(self):
        """The entry's ``deprecation_date``, when it gives a valid one."""
        try:
            return datetime.date.fromisoformat(str(self.raw.get("deprecation_date"))[:10])
        except ValueError:
            return None


def per_mtok(values, name, errors):
    """A USD-per-token value as USD per 1M tokens, or None when absent; a bad value is an error."""
    value = values.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        errors.append(f"{name}: {value!r} is not a price (a non-negative number of USD per token)")
        return None
    price = Decimal(repr(value)) * MILLION
    if price >= PRICE_LIMIT:
        errors.append(f"{name}: {value!r} USD per token is {price} per 1M tokens, more than a price point holds")
        return None
    return price.quantize(QUANTUM)


def plausible(entry):
    """No tier priced above the ceiling a real per-token price stays under (a unit mistake in the map)."""
    prices = [price for tier in entry.tiers.values() for price in (tier.input, tier.output, tier.cached)]
    return all(price is None or price <= TOKEN_PRICE_CEILING_USD for price in prices)


def read_tiers(raw, errors):
    """Tier -> Prices for an entry; empty when it lacks input or output prices per token."""
    tiered = raw.get("tiered_pricing")
    if isinstance(tiered, list) and tiered and all(isinstance(step, dict) and "range" in step for step in tiered):
        tiers = {}
        for step in tiered:
            bounds = step["range"]
            if not (
                isinstance(bounds, list)
                and len(bounds) == 2
                and all(isinstance(n, int | float) and not isinstance(n, bool) and math.isfinite(n) for n in bounds)
                and 0 <= bounds[0] < bounds[1]
            ):
                errors.append(f"tiered_pricing: range {bounds!r} is not [from, to] in tokens")
                return {}
            prices = [per_mtok(step, name, errors) for name in ("input_cost_per_token", "output_cost_per_token")]
            if None in prices:
                return {}
            cached = per_mtok(step, "cache_read_input_token_cost", errors)
            tiers[f"{tokens_label(bounds[0])}-{tokens_label(bounds[1])}"] = Prices(*prices, cached)
        return tiers
    base_input = per_mtok(raw, "input_cost_per_token", errors)
    base_output = per_mtok(raw, "output_cost_per_token", errors)
    base_cached = per_mtok(raw, "cache_read_input_token_cost", errors)
    if base_input is None or base_output is None:
        return {}
    tiers = {STANDARD: Prices(base_input, base_output, base_cached)}
    for name in raw:
        match = ABOVE.match(name)
        if not match:
            continue
        size = match.group(1)
        above = [
            per_mtok(raw, f"{kind}_above_{size}k_tokens", errors)
            for kind in ("input_cost_per_token", "output_cost_per_token", "cache_read_input_token_cost")
        ]
        if above[0] is None:
            continue
        base = (base_input, base_output, base_cached)
        tiers[f"over-{size}k"] = Prices(*(a if a is not None else b for a, b in zip(above, base, strict=True)))
    return tiers


def file_date(document, file_name):
    """(date, where it came from): the file's last_updated, else a date in its name, else today."""
    from_name = None
    if match := FILE_DATE.search(file_name or ""):
        try:
            from_name = datetime.date.fromisoformat(match.group(1))
        except ValueError:
            from_name = None
    stamp = document.get("last_updated")
    if isinstance(stamp, str):
        try:
            from_field = datetime.date.fromisoformat(stamp[:10])
        except ValueError:
            from_field = None
        if from_field:
            note = f"Prices dated {from_field}, the file's last_updated."
            if from_name and from_name != from_field:
                note += f" (Its name says {from_name}; the field wins.)"
            return from_field, note
    if from_name:
        return from_name, f"Prices dated {from_name}, from the file name (the file has no last_updated)."
    today = datetime.date.today()
    return today, f"The file has no date (no last_updated, none in its name): prices dated today, {today}."


@dataclass
class Catalog:
    """What the import compares against, loaded once."""

    date: datetime.date
    organizations: dict = field(default_factory=dict)  # slug -> Organization
    names: dict = field(default_factory=dict)  # normalised name -> {model slug}
    periods: dict = field(default_factory=dict)  # (provider id, api id, tier) -> [PricePoint] by start
    offering_model: dict = field(default_factory=dict)  # (provider id, api id) -> model slug of latest period
    kept: set = field(default_factory=set)  # (provider_name, api id, tier) already unmatched on this date
    snapshots: dict = field(default_factory=dict)  # (model slug, canonical name) -> dates of its dated aliases
    squashed: set = field(default_factory=set)  # every name without its hyphens
    tasks: dict = field(default_factory=dict)  # model slug -> task
    source: Source | None = None

    @classmethod
    def load(cls, date):
        catalog = cls(date)
        catalog.organizations = {org.slug: org for org in Organization.objects.only("pk", "slug", "name")}
        catalog.load_models()
        periods = defaultdict(list)
        latest = {}
        prices = PricePoint.objects.select_related("model").only(
            "provider_id",
            "api_model_id",
            "context_tier",
            "currency",
            "input_per_mtok",
            "output_per_mtok",
            "cached_input_per_mtok",
            "effective_from",
            "effective_to",
            "model__slug",
        )
        for price in prices.order_by("effective_from"):
            periods[price.provider_id, price.api_model_id, price.context_tier].append(price)
            latest[price.provider_id, price.api_model_id] = price.model.slug  # ordered: the last start wins
        catalog.periods, catalog.offering_model = dict(periods), latest
        catalog.kept = set(
            UnmatchedOffering.objects.filter(effective_from=date).values_list(
                "provider_name", "api_model_id", "context_tier"
            )
        )
        catalog.source = Source.objects.filter(url=SOURCE_URL).first()
        return catalog

    def load_models(self):
        """Every foundation model's names (slug, name, aliases), normalised, and the snapshot dates they carry."""
        for model in FoundationModel.objects.only("slug", "name", "aliases", "task"):
            self.tasks[model.slug] = model.task
            aliases = model.aliases if isinstance(model.aliases, list) else []
            for name in {model.slug, model.name, *map(str, aliases)}:
                if normalised(name):
                    self.add_name(normalised(name), model.slug)
                base, day = snapshot(canonical_name(name))
                if day:
                    self.snapshots.setdefault((model.slug, base), set()).add(day)
        return self

    def add_name(self, name, slug):
        self.names.setdefault(name, set()).add(slug)
        self.squashed.add(name.replace("-", ""))

    def holds(self, name):
        """Whether a model the catalog has might be the one ``name`` (canonical) names: the same name, a model
        whose slug gives no size for the name without its size ("llama-4-maverick-17b-128e" and Llama 4
        Maverick; not "qwen3-coder-30b-a3b" and Qwen3-Coder-480B-A35B), or the name without hyphens
        ("mistral-large2")."""
        sized_alike = any(not has_size(slug) for slug in self.names.get(without_size(name), ()))
        return name in self.names or sized_alike or name.replace("-", "") in self.squashed

    def model_for(self, entry):
        """The model slug an entry's offering belongs to; (None, why) when there is none or several."""
        found = self.offering_model.get((entry.organization.pk, entry.api_model_id))
        if found:
            return found, ""
        return self.model_named(entry.api_model_id, entry.key)

    def model_named(self, model_id, *other_spellings):
        """The model slug a model id names (also used for ids outside a price map, such as Epoch AI's runs):
        its normalised name, then its canonical name, then an undated model of which it is the only snapshot.
        (None, why) when there is none or several."""
        candidates = set()
        for name in {model_id, *other_spellings}:
            candidates |= self.names.get(normalised(name), set())
        canonical = canonical_name(model_id)
        if not candidates:  # then the name without the host's path, region, pins and serving suffixes
            candidates = set(self.names.get(canonical, ()))
        if not candidates:  # then a snapshot of a model that names no other snapshot ("gpt-5-2025-08-07")
            base, day = snapshot(canonical)
            if day and day <= self.date:
                candidates = {
                    slug for slug in self.names.get(base, ()) if not self.snapshots.get((slug, base), set()) - {day}
                }
        if len(candidates) == 1:
            return candidates.pop(), ""
        return None, (f"names {len(candidates)} models" if candidates else NO_MODEL)


class PriceMapReader:
    def __init__(self, document, date, date_note):
        self.document = document
        self.catalog = Catalog.load(date)
        self.date = date
        self.notes = [date_note]
        self.records = []
        self.model_records = []  # models made from offerings no catalog model matches
        self.unmatched = []
        self.skipped_modes = Counter()
        self.skipped = Counter()
        self.ended = []
        self.retired = []  # offerings whose deprecation_date is on or before the file's date
        self.repeated = []
        self.stale = []  # entries whose prices are an earlier period's: the file is behind the catalog
        self.already_kept = 0
        self.matched = self.flagged_entries = 0

    # Reading entries

    def entries(self):
        found = []
        for key, raw in self.document.items():
            if key == "sample_spec" or not isinstance(raw, dict):
                self.skipped["keys that are not model entries (sample_spec, last_updated)"] += 1
                continue
            provider = raw.get("litellm_provider")
            if not isinstance(provider, str) or not provider:
                self.skipped["entries without a litellm_provider (not models)"] += 1
                continue
            mode = raw.get("mode")
            if mode not in TOKEN_MODES:
                self.skipped_modes[mode if isinstance(mode, str) else "no mode"] += 1
                continue
            errors = []
            # An embedding has no output tokens: its output price is nil, not unknown.
            tiers = read_tiers({"output_cost_per_token": 0, **raw} if mode == EMBEDDING else raw, errors)
            if errors:
                self.records.append(
                    Record(PricePoint, {"api_model_id": key, "context_tier": STANDARD}, f"entry '{key}'", errors=errors)
                )
                continue
            if not tiers:
                self.skipped["chat, completion or responses entries without both per-token prices"] += 1
                continue
            if all(prices.input == 0 and prices.output == 0 for prices in tiers.values()):
                self.skipped["free entries (input and output at 0: a rate-limited tier, not a list price)"] += 1
                continue
            entry = Entry(key, provider, mode, raw, tiers)
            slug = PROVIDERS.get(provider)
            entry.organization = self.catalog.organizations.get(slug) if slug else None
            entry.api_model_id = billed_id(key)
            found.append(entry)
        return found

    def read(self):
        placed, unknown = defaultdict(list), defaultdict(list)  # unknown: canonical name -> entries
        for entry in self.entries():
            if entry.organization is None:
                self.keep_for_review(entry)
            else:
                placed[entry.organization.pk, entry.api_model_id].append(entry)
        for group in placed.values():
            group.sort(key=lambda e: (PROVIDER_ORDER[e.provider_name], e.routed, e.key))
            first, *others = group
            for other in others:
                if other.tiers == first.tiers:
                    self.repeated.append(other.key)
                else:
                    self.keep_for_review(other)
            slug, why = self.catalog.model_for(first)
            canonical = canonical_name(first.api_model_id)
            if slug is None and why == NO_MODEL and plausible(first) and not NOT_A_MODEL.search(canonical):
                unknown[product_name(canonical), task_of(first.mode)].append(first)
                continue
            if slug is None or not plausible(first) or not fits(self.catalog.tasks.get(slug), first.mode):
                self.keep_for_review(first)
                continue
            self.matched += 1
            for tier, prices in first.tiers.items():
                self.price_records(first, slug, tier, prices)
        for (name, task), entries in unknown.items():
            slug = self.new_model(name, entries, task)
            for entry in entries:
                if slug is None:
                    self.keep_for_review(entry)
                    continue
                for tier, prices in entry.tiers.items():
                    self.price_records(entry, slug, tier, prices)
        return self

    def new_model(self, name, entries, task):
        """A model for offerings no catalog model matches, when their name says who makes it (``MAKERS``):
        one per product (its releases "-2407", "-preview" together), its slug the product's canonical name so
        the next import matches it. None when the name does not say, or names a family rather than a model,
        or an existing model's product, with or without a size: a snapshot or a size the catalog does not
        list is a curator's call, and so is a name too long for a slug (cut short, it could be another's)."""
        organization, family = maker_of(name)
        too_long = len(name) > FoundationModel._meta.get_field("slug").max_length
        if (
            organization not in self.catalog.organizations
            or is_family_word(name)
            or too_long
            or self.catalog.holds(name)
        ):
            return None
        slug = name
        ids = sorted({entry.api_model_id for entry in entries})
        days = sorted(day for day in (snapshot(canonical_name(api_id))[1] for api_id in ids) if day)
        open_weights = family in OPEN_FAMILIES and any(entry.provider_name in OPEN_WEIGHTS_HOSTS for entry in entries)
        words = set(name.split("-"))
        if words & {"multimodal", "multimodalembedding"}:
            modality = "multimodal"
        elif task == Task.EMBEDDING:
            modality = "text"
        elif words & {"vl", "vision"} or name.startswith("pixtral"):
            modality = "vision-language"
        elif words & {"audio"} or name.startswith("voxtral"):
            modality = "speech"
        elif words & {"coder", "codex"} or name.startswith(("codestral", "devstral", "code")):
            modality = "code"
        else:
            modality = "text"
        fields = {
            "slug": slug,
            "name": display_name(ids)[:150],
            "family": family,
            "aliases": ids[:12],
            "organizations": [organization],
            "architecture": "unknown",
            "modality": modality,
            "task": task,
            "access": "open-weights" if open_weights else "api",
            "confidence": "estimated",
            "notes": (
                f"Made from LiteLLM's price map, which prices it as {some(ids)}. The maker is read from the name "
                f"({family}); the access from who serves it ("
                + ("hosts that serve open-weight models only" if open_weights else "its maker and the clouds")
                + (
                    "); the release date is the earliest snapshot date in its ids."
                    if days
                    else "). Release date unknown."
                )
            ),
            "sources": [SOURCE_URL],
        }
        if days:
            fields.update(release_date=days[0].isoformat(), release_date_precision="day")
        self.model_records.append(Record(FoundationModel, fields, entries[0].where()))
        self.catalog.add_name(slug, slug)
        self.catalog.tasks[slug] = task
        return slug

    # What each entry becomes

    def keep_for_review(self, entry):
        self.flagged_entries += 1
        for tier, prices in entry.tiers.items():
            if (entry.provider_name, entry.key, tier) in self.catalog.kept:
                self.already_kept += 1
                continue
            self.unmatched.append(
                {
                    "provider": entry.organization,
                    "provider_name": entry.provider_name[:120],
                    "api_model_id": entry.key[:200],
                    "mode": entry.mode[:40],
                    "context_tier": tier,
                    "input_per_mtok": prices.input,
                    "output_per_mtok": prices.output,
                    "cached_input_per_mtok": prices.cached,
                    "effective_from": self.date,
                    "details": entry.raw,
                }
            )

    def price_records(self, entry, model_slug, tier, prices):
        date, where = self.date, entry.where(tier)
        offering = {"provider": [entry.organization.slug], "api_model_id": entry.api_model_id, "context_tier": tier}
        periods = self.catalog.periods.get((entry.organization.pk, entry.api_model_id, tier), [])
        in_force = next(
            (candidate for candidate in periods if candidate.in_force_on(date)),
            None,
        )

        def period(start, **values):
            return Record(PricePoint, {**offering, "effective_from": start.isoformat(), **values}, where)

        def checked(start):
            """The file confirms the period from ``start``: a dated check, citing the map."""
            key = [entry.organization.slug, entry.api_model_id, tier, start.isoformat()]
            fields = {"price": key, "checked_on": date.isoformat(), "source": [SOURCE_URL]}
            return Record(PriceCheck, fields, where)

        retired = entry.retired_on
        if retired is not None and retired <= date:
            # Retired before the file's date: never a current price. An open period the catalog holds ends
            # on the retirement date; no new one starts (when this price began, the map does not say).
            self.retired.append(entry.where(tier).removeprefix("entry "))
            open_period = next((p for p in periods if p.effective_to is None and p.effective_from < retired), None)
            if open_period is not None:
                self.records.append(period(open_period.effective_from, effective_to=retired.isoformat()))
            return
        if in_force is None and not periods:
            self.records += [self.new_period(entry, model_slug, offering, prices, where), checked(date)]
        elif in_force is None and periods[-1].effective_from > date:
            record = period(periods[-1].effective_from)
            record.errors.append(
                f"the file is dated {date}, before this offering's price from {periods[-1].effective_from}: "
                "an older price list does not rewrite the catalog's history"
            )
            self.records.append(record)
        elif in_force is None:  # every period ended on or before the file's date
            self.ended.append(entry.api_model_id if tier == STANDARD else f"{entry.api_model_id} ({tier})")
        elif prices.same_as(in_force):
            self.records += [period(in_force.effective_from, **prices.fields()), checked(in_force.effective_from)]
        elif in_force.effective_from == date:
            record = period(date, **prices.fields())
            record.notes.append("corrects the prices of the period that starts on the file's date")
            self.records += [record, checked(date)]
        elif any(prices.same_as(earlier) for earlier in periods if earlier.effective_from < in_force.effective_from):
            self.stale.append(where.removeprefix("entry "))
        elif in_force.effective_to is None:
            closing = period(in_force.effective_from, effective_to=date.isoformat())
            closing.notes.append(f"closed on {date}: LiteLLM lists other prices from then")
            self.records += [closing, self.new_period(entry, model_slug, offering, prices, where), checked(date)]
        else:
            record = period(in_force.effective_from, **prices.fields())
            record.errors.append(
                f"the file is dated {date}, inside this offering's period from {in_force.effective_from} to "
                f"{in_force.effective_to}, which holds other prices: an older price list does not rewrite history"
            )
            self.records.append(record)

    def new_period(self, entry, model_slug, offering, prices, where):
        return Record(
            PricePoint,
            {
                "model": [model_slug],
                **offering,
                "effective_from": self.date.isoformat(),
                "currency": "USD",
                **prices.fields(),
                "confidence": "reported",
                "notes": (
                    f"List price as LiteLLM's price map gave it on {self.date} (entry '{entry.key}'), a secondary "
                    "source that follows the provider's pricing page. The period starts on that snapshot's date: "
                    "the price may have applied earlier."
                ),
                "sources": [SOURCE_URL],
            },
            where,
        )

    # The source, carrying the file-wide notes

    def source_record(self):
        existing = self.catalog.source
        if existing is None:
            fields = {"url": SOURCE_URL, **SOURCE_FIELDS, "retrieved_on": self.date.isoformat()}
        else:
            fields = {"url": SOURCE_URL}
            if existing.retrieved_on is None or existing.retrieved_on < self.date:
                fields["retrieved_on"] = self.date.isoformat()
        notes = [*self.notes, self.summary()]
        if self.skipped_modes:
            counts = ", ".join(f"{mode} {count}" for mode, count in self.skipped_modes.most_common())
            notes.append(
                f"Skipped, not priced per text token (only chat, completion and responses are read): {counts}."
            )
        notes += [f"Skipped {count} {why}." for why, count in self.skipped.items()]
        if self.repeated:
            notes.append(
                f"Skipped {len(self.repeated)} ids that repeat another id of the same provider at the same prices: "
                f"{some(self.repeated)}."
            )
        if self.ended:
            notes.append(
                f"Not reopened: {len(self.ended)} offerings the catalog records as ended before {self.date}, which "
                f"LiteLLM still lists: {some(self.ended)}."
            )
        if self.retired:
            notes.append(
                f"Not current: {len(self.retired)} offerings LiteLLM marks retired (deprecation_date) on or before "
                f"{self.date}; open periods the catalog had for them end on that date: {some(self.retired)}."
            )
        if self.stale:
            notes.append(
                f"Not imported: {len(self.stale)} entries whose prices are an earlier period's of the catalog, so "
                f"LiteLLM is likely behind the catalog there (check by hand): {some(self.stale)}."
            )
        if self.already_kept:
            notes.append(f"{self.already_kept} unmatched offerings were already kept for review from this date.")
        return Record(Source, fields, "the file", notes=notes)

    def summary(self):
        return (
            f"{self.matched} entries matched to catalog models, {len(self.model_records)} models made from ids "
            f"that name their maker, {self.flagged_entries} kept for review "
            f"({len(self.unmatched)} new unmatched offerings, one per context tier)."
        )


def parse_price_map(data, *, file_name="", table=""):
    """Read LiteLLM's price map into PricePoint records and unmatched offerings (see the module docstring)."""
    document = json_document(decode(data))
    if not isinstance(document, dict):
        raise FormatError("LiteLLM's price map is a JSON object keyed by model id; this file is not an object.")
    if not any(isinstance(value, dict) and key != "sample_spec" for key, value in document.items()):
        raise FormatError("The file holds no model entries.")
    date, date_note = file_date(document, file_name)
    reader = PriceMapReader(document, date, date_note).read()
    return ParsedFile(
        records=[reader.source_record(), *reader.model_records, *reader.records], unmatched=reader.unmatched
    )
