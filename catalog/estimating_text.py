"""The words of the estimators' working: step labels and assumption sentences, translatable.

``catalog.estimators`` returns stable keys and codes with their numbers; this module turns them into
sentences in the request's language, for the pages and the API alike.
"""

from django.utils.translation import gettext_lazy as _

from catalog import formatting
from catalog.estimators.tokens import SOURCES, TOKEN_RULES

STEP_LABELS = {
    "bytes_per_parameter": _("Bytes per parameter at this precision"),
    "weight_bytes": _("Weights"),
    "head_dim": _("Head dimension"),
    "kv_bytes_per_token": _("KV cache per token"),
    "kv_bytes": _("KV cache for the batch at the full context"),
    "required_bytes": _("Memory needed"),
    "available_bytes": _("Memory available"),
    "memory_share": _("Share of memory used"),
    "chips_needed": _("Fewest chips that hold it"),
    "compute": _("Usable compute"),
    "weights_read": _("Weights read per decode step (active parameters)"),
    "decode_step_bytes": _("Bytes read per decode step"),
    "bandwidth": _("Usable memory bandwidth"),
    "decode_memory_bound": _("Decode bound by memory bandwidth"),
    "decode_flops_per_token": _("FLOP per decoded token"),
    "decode_compute_bound": _("Decode bound by compute"),
    "prefill_flops_per_token": _("FLOP per prompt token"),
    "prefill_bound": _("Prefill bound (compute)"),
    "decode_bound": _("Decode bound"),
    "hourly_cost": _("Cost per hour"),
    "usd_per_m_output": _("USD per 1M output tokens"),
    "usd_per_m_input": _("USD per 1M input tokens (prefill)"),
    "training_flop": _("Training compute"),
    "cluster_flops": _("Usable cluster compute"),
    "training_seconds": _("Training time"),
    "training_hours": _("Training time in hours"),
    "chip_hours": _("Chip-hours"),
    "training_cost": _("Training cost"),
    "tokens_latin": _("Tokens from Latin-script and other text"),
    "tokens_hangul": _("Tokens from Hangul (Korean) text"),
    "tokens_cjk": _("Tokens from Chinese and Japanese text"),
    "tokens_total": _("Tokens"),
}

ASSUMPTIONS = {
    "kv_shape_unknown": _(
        "The catalog does not record the layers and hidden size of %(model)s, so its KV cache is not "
        "estimated: the fit counts the weights only and a decode step reads the weights only. Both understate "
        "what long contexts and large batches need."
    ),
    "head_dim_assumed": _(
        "The number of attention heads is not recorded: a head dimension of %(head_dim)s, the usual value, "
        "is assumed for the KV cache."
    ),
    "kv_heads_assumed_mha": _(
        "The number of key/value heads is not recorded: full multi-head attention is assumed (one KV head "
        "per attention head). Models with grouped-query or latent attention keep a smaller cache, so this "
        "is an upper bound on the KV cache."
    ),
    "kv_precision": _(
        "The KV cache is kept at %(kv_bytes)s byte(s) per value: 4-bit KV caches are uncommon, so INT4 "
        "weights are paired with an 8-bit cache."
    ),
    "memory_unknown": _("The catalog does not record the memory of %(chip)s: whether the model fits is unknown."),
    "bandwidth_unknown": _(
        "The catalog does not record the memory bandwidth of %(chip)s: no decode bound, so no cost per token."
    ),
    "peak_fallback": _(
        "%(chip)s reports no %(wanted)s peak: its %(used)s peak is used for %(precision)s, as if the "
        "arithmetic ran at that rate."
    ),
    "int4_at_int8_peak": _(
        "The catalog records no INT4 peak: INT4 weights are taken to compute at the INT8 peak of %(chip)s "
        "(weight-only INT4 often computes at BF16, which would be slower)."
    ),
    "peak_unknown": _("The catalog records no usable peak FLOP/s of %(chip)s for %(precision)s: no compute bound."),
    "attention_flops_omitted": _(
        "The model's layers and hidden size are not recorded: FLOP per token count the weights only "
        "(2 per active parameter) and leave out attention over the context."
    ),
    "moe": _(
        "Mixture of experts: memory holds all %(total)s parameters, but compute, and the weights a decode step "
        "reads, use the %(active)s active ones. With a batch, tokens route to different experts, so a step "
        "reads more than that and the decode bound is optimistic."
    ),
    "context_capped": _(
        "The context asked for (%(requested)s tokens) is longer than the model's maximum; %(maximum)s tokens are used."
    ),
    "price_unknown": _("No price per chip-hour: no cost. Enter one to see it."),
    "training_moe": _(
        "Mixture of experts: N is the %(active)s active parameters a token is computed with, not all %(total)s."
    ),
    "flop_from_reported": _(
        "The parameters or training tokens of %(model)s are not recorded: the reported training compute is "
        "used instead of 6 · N · D."
    ),
    "flop_unknown": _("Neither 6 · N · D nor a reported training compute is known for %(model)s."),
}

COUNTED_PARAMS = {"total", "active", "requested", "maximum"}


def step_label(key):
    return STEP_LABELS.get(key, key)


def assumption_text(assumption):
    params = {
        name: formatting.count(value) if name in COUNTED_PARAMS else value for name, value in assumption.params.items()
    }
    template = ASSUMPTIONS.get(assumption.code)
    return str(template % params) if template is not None else assumption.code


def working(estimate):
    """Steps and assumptions as plain dicts with their labels and sentences, for templates and the API."""
    return {
        "steps": [{**step.as_dict(), "label": str(step_label(step.key))} for step in estimate.steps],
        "assumptions": [
            {"code": assumption.code, "text": assumption_text(assumption)}
            for assumption in getattr(estimate, "assumptions", ())
        ],
    }


# ----------------------------------------------------------------------------------- token rules

RATIO_BASIS = {
    "english_rule": _("about 4 characters per token for English, OpenAI's published rule of thumb"),
    "korean_o200k_measured": _(
        "about 1.5 characters per token for Korean text, spaces included: small published samples measured "
        "on o200k_base (one sentence of 28 characters in 20 tokens; 8 Korean/English pairs). An approximation, "
        "not a measurement of this site."
    ),
    "korean_cl100k_derived": _(
        "about 1.1 characters per token for Korean text: the o200k_base ratio less the 20–30% that o200k_base is "
        "reported to save on Korean over cl100k_base. Derived, so rougher still."
    ),
    "korean_other_assumed": _(
        "about 1.5 characters per token for Korean text: the o200k_base measurement carried over as an "
        "assumption; no measurement of these tokenizers is cited here. Korean-trained tokenizers "
        "(HyperCLOVA X, EXAONE) likely need fewer tokens."
    ),
    "cjk_assumed": _("about 1 character per token for Chinese and Japanese: an assumption, not a measurement"),
}
FAMILY_LABELS = {
    "o200k": _("OpenAI o200k_base (GPT-4o, GPT-4.1, o-series, GPT-5)"),
    "cl100k": _("OpenAI cl100k_base (GPT-3.5, GPT-4)"),
    "other": _("Other tokenizers (Claude, Gemini, Llama, Qwen, HyperCLOVA X...)"),
}
SCRIPT_LABELS = {
    "latin": _("Latin script and other"),
    "hangul": _("Hangul (Korean)"),
    "cjk": _("Chinese and Japanese"),
}


def token_rules():
    """Every family's rule in words, with its sources: the page and the API state them in full."""
    return [
        {
            "family": rule.family,
            "label": str(FAMILY_LABELS[rule.family]),
            "ratios": [
                {
                    "script": script,
                    "script_label": str(SCRIPT_LABELS[script]),
                    "characters_per_token": rule.chars_per_token[script],
                    "basis": str(RATIO_BASIS[rule.basis[script]]),
                }
                for script in ("latin", "hangul", "cjk")
            ],
            "sources": [{"url": SOURCES[key][0], "title": SOURCES[key][1]} for key in rule.sources],
        }
        for rule in TOKEN_RULES.values()
    ]
