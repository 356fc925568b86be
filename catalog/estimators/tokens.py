"""Token counts from text by a stated rule, and what a request costs at every current price.

No tokenizer ships with the site (the real ones download their vocabularies), so text is counted by a
rule per tokenizer family: characters per token for each script, each from a stated source. A
character that is not a letter (space, digit, punctuation) counts with the script of the letter before it,
so the spaces of a Korean sentence count at the Korean rate, as they were in the measurements. These are
approximations for budgeting: bills come from the provider's own tokenizer.
"""

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal

from catalog.estimators.working import Working, num

# The project's blended-price convention (``catalog.models.pricing``): 3 input tokens to 1 output token.
BLENDED_INPUT_WEIGHT, BLENDED_OUTPUT_WEIGHT = 3, 1
PER_MILLION = Decimal(1_000_000)
SCRIPTS = ("latin", "hangul", "cjk")

SOURCES = {
    "openai-help": (
        "https://help.openai.com/en/articles/4936856-what-are-tokens-and-how-to-count-them",
        "OpenAI Help Center: What are tokens and how to count them?",
    ),
    "jangwook": (
        "https://jangwook.net/en/blog/en/multilingual-llm-token-tax-experiment/",
        "jangwook.net: Same Article, 1.4x the Tokens in Korean (285 posts, o200k_base and two other tokenizers)",
    ),
    "claudeguide": (
        "https://claudeguide.io/korean-vs-english-token-cost",
        "claudeguide.io: Korean vs English, 8 meaning-matched pairs on o200k_base",
    ),
    "aitoken": (
        "https://aitoken.bal.pe.kr/en/guide",
        "aitoken.bal.pe.kr: Token Counting Guide (o200k_base vs cl100k_base on Korean)",
    ),
}


@dataclass(frozen=True)
class TokenRule:
    """Characters per token for each script; ``basis`` says where each ratio comes from (a code)."""

    family: str
    label: str
    chars_per_token: dict
    basis: dict
    sources: tuple = ()


TOKEN_RULES = {
    "o200k": TokenRule(
        "o200k",
        "OpenAI o200k_base (GPT-4o, GPT-4.1, o-series, GPT-5)",
        {"latin": 4.0, "hangul": 1.5, "cjk": 1.0},
        {"latin": "english_rule", "hangul": "korean_o200k_measured", "cjk": "cjk_assumed"},
        ("openai-help", "jangwook", "claudeguide"),
    ),
    "cl100k": TokenRule(
        "cl100k",
        "OpenAI cl100k_base (GPT-3.5, GPT-4)",
        {"latin": 4.0, "hangul": 1.1, "cjk": 1.0},
        {"latin": "english_rule", "hangul": "korean_cl100k_derived", "cjk": "cjk_assumed"},
        ("openai-help", "aitoken"),
    ),
    "other": TokenRule(
        "other",
        "Other tokenizers (Claude, Gemini, Llama, Qwen, HyperCLOVA X...)",
        {"latin": 4.0, "hangul": 1.5, "cjk": 1.0},
        {"latin": "english_rule", "hangul": "korean_other_assumed", "cjk": "cjk_assumed"},
        ("openai-help", "claudeguide"),
    ),
}
DEFAULT_FAMILY = "o200k"

HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def script_of(character):
    if HANGUL.match(character):
        return "hangul"
    if CJK.match(character):
        return "cjk"
    return "latin"


def characters_by_script(text):
    """Characters per script; a non-letter goes with the letter before it (the first letter, at the start)."""
    counts = dict.fromkeys(SCRIPTS, 0)
    current, pending = None, 0
    for character in text:
        if character.isalpha():
            current = script_of(character)
            counts[current] += 1 + pending
            pending = 0
        elif current is None:
            pending += 1
        else:
            counts[current] += 1
    counts[current or "latin"] += pending
    return counts


@dataclass(frozen=True)
class TokenCount:
    family: str
    characters: dict
    tokens: int
    steps: tuple = ()


def count_tokens(text, family=DEFAULT_FAMILY):
    """Tokens in ``text`` by the family's rule: Σ characters of a script ÷ its characters per token, rounded up."""
    rule = TOKEN_RULES[family]
    work = Working()
    characters = characters_by_script(text)
    total = 0.0
    for script in SCRIPTS:
        if characters[script]:
            ratio = rule.chars_per_token[script]
            total += work.step(
                f"tokens_{script}",
                f"chars_{script} ÷ {num(ratio)}",
                f"{characters[script]} ÷ {num(ratio)}",
                characters[script] / ratio,
                "tokens",
            )
    tokens = math.ceil(round(total, 9))
    work.step("tokens_total", "⌈Σ⌉", f"⌈{num(total)}⌉", tokens, "tokens")
    return TokenCount(family=family, characters=characters, tokens=tokens, steps=tuple(work.steps))


# ------------------------------------------------------------------------------------------ prices

TIER_RANGE = re.compile(r"^(\d+(?:\.\d+)?)([km]?)-(\d+(?:\.\d+)?)([km])$")
TIER_OVER = re.compile(r"^over-(\d+(?:\.\d+)?)([km])$")
SUFFIX = {"": 1, "k": 1_000, "m": 1_000_000}


def tier_bounds(tier):
    """(low, high) prompt tokens a named context tier covers; None for 'standard' or a name not understood.

    '0-32k' -> (0, 32000); '32k-128k' -> (32000, 128000); 'over-200k' -> (200000, inf). A bare first number
    takes the second's unit ('128-252k' is 128k to 252k).
    """
    tier = tier.strip().lower()
    if match := TIER_OVER.match(tier):
        return float(match[1]) * SUFFIX[match[2]], math.inf
    if match := TIER_RANGE.match(tier):
        low_unit = match[2] or (match[4] if float(match[1]) else "")
        return float(match[1]) * SUFFIX[low_unit], float(match[3]) * SUFFIX[match[4]]
    return None


def tier_applies(tier, prompt_tokens, other_tiers=()):
    """Whether a price tier applies to a prompt: a named range must contain it; 'standard' applies unless
    another tier of the same offering does."""
    bounds = tier_bounds(tier)
    if bounds is not None:
        low, high = bounds
        return low <= prompt_tokens <= high if low == 0 else low < prompt_tokens <= high
    return not any(tier_bounds(other) and tier_applies(other, prompt_tokens) for other in other_tiers if other != tier)


@dataclass(frozen=True)
class PriceRow:
    """One current price: ``offering`` groups the tiers of one API model id at one provider."""

    key: object
    offering: tuple
    context_tier: str
    input_per_mtok: Decimal
    output_per_mtok: Decimal
    cached_input_per_mtok: Decimal | None = None


@dataclass(frozen=True)
class TokenCost:
    price: PriceRow
    input_usd: Decimal
    cached_usd: Decimal
    output_usd: Decimal
    total_usd: Decimal
    blended_per_mtok: Decimal
    cached_at_input_price: bool = False
    extra: dict = field(default_factory=dict)


def blended(input_per_mtok, output_per_mtok):
    weights = BLENDED_INPUT_WEIGHT + BLENDED_OUTPUT_WEIGHT
    value = (
        BLENDED_INPUT_WEIGHT * Decimal(input_per_mtok) + BLENDED_OUTPUT_WEIGHT * Decimal(output_per_mtok)
    ) / weights
    return value.quantize(Decimal("0.000001"))


def token_costs(*, input_tokens, cached_tokens, output_tokens, prices):
    """Cost of one request at every price whose context tier applies, cheapest first.

    ``input_tokens`` are the uncached prompt tokens, ``cached_tokens`` those read from the provider's
    prompt cache. A price without a cached-input rate charges cached tokens at the input rate (flagged).
    """
    prices = list(prices)
    tiers = {}
    for price in prices:
        tiers.setdefault(price.offering, []).append(price.context_tier)
    prompt = input_tokens + cached_tokens
    costs = []
    for price in prices:
        if not tier_applies(price.context_tier, prompt, tiers[price.offering]):
            continue
        cached_rate = price.cached_input_per_mtok
        fallback = cached_rate is None
        input_usd = Decimal(input_tokens) * Decimal(price.input_per_mtok) / PER_MILLION
        cached_usd = Decimal(cached_tokens) * Decimal(price.input_per_mtok if fallback else cached_rate) / PER_MILLION
        output_usd = Decimal(output_tokens) * Decimal(price.output_per_mtok) / PER_MILLION
        costs.append(
            TokenCost(
                price=price,
                input_usd=input_usd,
                cached_usd=cached_usd,
                output_usd=output_usd,
                total_usd=input_usd + cached_usd + output_usd,
                blended_per_mtok=blended(price.input_per_mtok, price.output_per_mtok),
                cached_at_input_price=fallback and cached_tokens > 0,
            )
        )
    costs.sort(key=lambda cost: (cost.total_usd, cost.blended_per_mtok, str(cost.price.offering)))
    return costs
