"""What a price map's model id says about the model behind it: its canonical name, snapshot date and maker.

Hosts spell one model many ways: "meta-llama/Llama-3.3-70B-Instruct-Turbo" (Together),
"accounts/fireworks/models/llama-v3p3-70b-instruct" (Fireworks), "us.meta.llama3-3-70b-instruct-v1:0"
(Bedrock), "llama-3.3-70b-versatile" (Groq). ``canonical_name`` strips what the host adds (path, region,
maker prefix, version pin, serving suffix, Fireworks' "p" for a decimal point) and spells the rest one way:
all four above are "llama-3-3-70b". It is used only after an id failed to match exactly, and a snapshot
date ("gpt-4o-2024-11-20") is split off by ``snapshot``, not thrown away: the importer decides what a
date means.

``MAKERS`` names who develops each family a host serves, by the canonical name's first words. It is the
only inference the importer makes about a model it has not seen, so it lists families whose maker is not
in doubt and nothing else; an id it does not recognise stays in the curators' queue.
"""

import datetime
import re

# Bedrock's cross-region inference profiles ("us.", "global.", "apac.") and makers ("anthropic.").
REGION_PREFIX = re.compile(r"^(us|eu|apac|au|jp|ca|global|us-gov)\.", re.IGNORECASE)
MAKER_PREFIX = re.compile(
    r"^(anthropic|meta|mistral|cohere|ai21|amazon|deepseek|qwen|openai|google|minimax|xai|moonshotai|zai|writer)\.",
    re.IGNORECASE,
)
# A pin at the end: Bedrock's "-v1:0", "-1:0"; a bare ":0"; Vertex AI's "@001", "@default".
PIN_SUFFIX = re.compile(r"(-v\d+(:\d+)?|-\d+:\d+|:\d+|@\d{3}|@default)$")
# How a host serves a model, not which model: instruction tuning, quantisation, its own speed tier.
SERVING_SUFFIX = re.compile(
    r"-(instruct|versatile|turbo|hf|fp8|fp16|bf16|int8|int4|awq|dynamic|it|tput|maas|instant|basic|exacto|pt)$"
    r"|(?<=\db)-chat$|-safety(-recitation)?-off$",
    re.IGNORECASE,
)
FIREWORKS_DECIMAL = re.compile(r"(?<=\d)p(?=\d)")  # "llama-v3p3" -> "llama-v3.3"
# A maker's name in front of the model's own ("meta-llama-3-1-8b", "moonshotai-kimi-k2-5").
LEADING_MAKER = re.compile(r"^(meta-(?=llama)|moonshotai-|zai-|anthropic-|openai-|deepseek-ai-|mistralai-|google-)")
SNAPSHOT = re.compile(r"-(20\d\d)-?(\d\d)-?(\d\d)$")


def normalised(name):
    """Lower case, every run of punctuation or spaces as one hyphen: 'GPT-4.1' -> 'gpt-4-1'."""
    return re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")


def model_part(api_model_id):
    """The model's own id within a host's, as the host spells it: no path, region, maker prefix or pin."""
    name = api_model_id.rsplit("/", 1)[-1]
    return PIN_SUFFIX.sub("", MAKER_PREFIX.sub("", REGION_PREFIX.sub("", name)))


def without_serving_suffix(name):
    for _ in range(3):  # "-instruct-turbo"-style stacks
        name = SERVING_SUFFIX.sub("", name)
    return name


def canonical_name(api_model_id):
    """'bedrock/us.anthropic.claude-3-5-sonnet-20240620-v1:0' -> 'claude-3-5-sonnet-20240620'."""
    name = FIREWORKS_DECIMAL.sub(".", without_serving_suffix(model_part(api_model_id).lower()))
    name = LEADING_MAKER.sub("", without_serving_suffix(normalised(name)))
    # One spelling of a version glued to its family: "llama3-1" / "llama-v3-1" -> "llama-3-1", "qwen-2-5" -> "qwen2-5".
    name = re.sub(r"^(llama|gemma)-?v?(?=\d)", r"\1-", name)
    name = re.sub(r"^qwen-?25(?=-)", "qwen2-5", re.sub(r"^qwen-(?=\d)", "qwen", name))
    name = re.sub(r"^gpt-35(?=-|$)", "gpt-3-5", name)  # Azure's spelling
    # Claude 4 and later put the tier first ("claude-opus-4-5"); some hosts keep the old order.
    return re.sub(r"^claude-([4-9](?:-\d)?)-(opus|sonnet|haiku)", r"claude-\2-\1", name)


def snapshot(name):
    """(name without its snapshot date, the date) for 'gpt-4o-2024-11-20'; (name, None) without a valid one."""
    match = SNAPSHOT.search(name)
    if not match:
        return name, None
    try:
        day = datetime.date(*map(int, match.groups()))
    except ValueError:
        return name, None
    return name[: match.start()], day


# (canonical name starts with, maker's organization slug, family). Checked in order: the first match wins.
MAKERS = [
    (("text-embedding-3", "text-embedding-ada"), "openai", "GPT"),
    (
        ("text-embedding-0", "text-embedding-large", "text-embedding-preview", "text-multilingual-embedding"),
        "google",
        "Gemini",
    ),
    (("multimodalembedding",), "google", "Gemini"),
    (("embed-",), "cohere", "Embed"),
    (("titan-embed",), "amazon", "Nova"),
    (("bge-",), "baai", "BGE"),
    (("e5-",), "microsoft", "E5"),
    (("gte-",), "alibaba-damo-academy", "GTE"),
    (("pplx-embed",), "perplexity", "Sonar"),
    (("gpt-oss",), "openai", "gpt-oss"),
    (("gpt-", "chatgpt-", "o1", "o3", "o4", "codex-mini", "computer-use", "davinci", "babbage"), "openai", "GPT"),
    (("claude",), "anthropic", "Claude"),
    (("gemini",), "google", "Gemini"),
    (("gemma", "codegemma"), "google", "Gemma"),
    (("chat-bison", "text-bison", "code-bison", "codechat-bison", "text-unicorn"), "google", "PaLM"),
    (("flan-t5",), "google", "T5"),
    (("llama", "code-llama", "codellama"), "meta", "Llama"),
    (("qwen", "qwq", "qvq", "code-qwen"), "alibaba", "Qwen"),
    (("internvl",), "shanghai-ai-lab", "InternVL"),
    (("pythia",), "eleutherai", "Pythia"),
    (("stablecode",), "stability-ai", "StableCode"),
    (("deepseek",), "deepseek", "DeepSeek"),
    (
        (
            *("mistral", "mixtral", "codestral", "ministral", "magistral", "devstral", "pixtral", "voxtral"),
            *("open-mistral", "open-mixtral", "open-codestral", "mamba-codestral", "labs-devstral", "labs-mistral"),
        ),
        "mistral-ai",
        "Mistral",
    ),
    (("command", "c4ai-aya", "aya"), "cohere", "Command"),
    (("grok",), "xai", "Grok"),
    (("glm", "chatglm"), "zhipu-ai", "GLM"),
    (("kimi", "moonshot"), "moonshot-ai", "Kimi"),
    (("minimax", "abab"), "minimax", "MiniMax"),
    (("jamba", "j2-"), "ai21-labs", "Jamba"),
    (("nova-", "amazon-nova", "titan-text"), "amazon", "Nova"),
    (("ernie",), "baidu", "ERNIE"),
    (("hunyuan",), "tencent", "Hunyuan"),
    (("doubao", "seed-", "ui-tars"), "bytedance", "Seed"),
    (("yi-",), "01ai", "Yi"),
    (("granite",), "ibm", "Granite"),
    (("phi-",), "microsoft", "Phi"),
    (("sonar",), "perplexity", "Sonar"),
    (("palmyra",), "writer", "Palmyra"),
    (("solar",), "upstage", "Solar"),
    (("exaone",), "lg-ai-research", "EXAONE"),
    (("olmo", "molmo", "tulu"), "allen-institute-for-ai", "OLMo"),
    (("falcon",), "tii", "Falcon"),
    (("dbrx",), "databricks", "DBRX"),
    (("snowflake-arctic", "arctic-"), "snowflake", "Arctic"),
]


def maker_of(canonical):
    """(organization slug, family) of the model a canonical name belongs to, or (None, "")."""
    if "nemotron" in canonical:  # NVIDIA's post-training of Llama and Qwen ("llama-3-3-nemotron-super-49b")
        return "nvidia", "Nemotron"
    for starts, organization, family in MAKERS:
        if canonical.startswith(starts):
            return organization, family
    return None, ""


# Families whose makers publish weights for some of their models: only these can be open weights.
OPEN_FAMILIES = {
    "Nemotron", "gpt-oss", "Gemma", "Llama", "Qwen", "DeepSeek", "Mistral", "GLM", "Kimi", "MiniMax", "Jamba",
    "ERNIE", "Hunyuan", "Seed", "Yi", "Granite", "Phi", "EXAONE", "OLMo", "Falcon", "DBRX", "Arctic", "Command",
    "T5", "InternVL", "Pythia", "StableCode", "BGE", "E5", "GTE",
}  # fmt: skip

# What sets one release of a product apart from another ("-2407", "-08-2024", "-0613", "-preview", "-beta").
RELEASE_TAG = re.compile(
    r"-(\d{4}|\d{2}-\d{4}|\d{2}-\d{2}|\d{3}|preview|beta|latest|(20\d\d)-?\d\d-?\d\d)$", re.IGNORECASE
)
# A size at the end of a name, which the catalog's own row may leave out ("-17b-128e", "-235b-a22b").
SIZE_TAG = re.compile(r"-\d+b(-a\d+b|-\d+e)?$")


# How an API exposes one model, not another model: a reasoning switch or effort, a context length, a
# weights revision ("-v0-2").
MODE_TAG = re.compile(r"-(non-reasoning|reasoning|high|low|long|\d+k|v\d+(-\d+)+)$", re.IGNORECASE)


def product_name(canonical):
    """The product a release belongs to: 'mistral-large-2407' -> 'mistral-large', 'gpt-4-5-preview' -> 'gpt-4-5',
    'grok-4-fast-reasoning' -> 'grok-4-fast', 'mistral-7b-instruct-v0-2' -> 'mistral-7b'."""
    name = canonical
    while True:
        shorter = without_serving_suffix(MODE_TAG.sub("", RELEASE_TAG.sub("", name)))
        if shorter == name or not shorter:
            return name
        name = shorter


def without_size(name):
    return SIZE_TAG.sub("", name)


def has_size(name):
    return SIZE_TAG.search(name) is not None


# Names of families, not of models: an id reduced to one of these ("anthropic.claude-v2:1" -> "claude") is
# not enough to make a model from.
FAMILY_WORDS = {
    "gpt", "claude", "gemini", "gemma", "llama", "qwen", "deepseek", "mistral", "grok", "glm", "kimi", "moonshot",
    "minimax", "jamba", "nova", "titan", "ernie", "hunyuan", "doubao", "seed", "yi", "granite", "phi", "exaone",
    "olmo", "falcon", "nemotron", "command",
}  # fmt: skip


def is_family_word(name):
    return name in FAMILY_WORDS


def display_name(api_model_ids):
    """A readable name from the ids a model is offered under, as its product: the maker's own spelling where a
    host keeps it ("Qwen/Qwen3-Coder-30B-A3B-Instruct" -> "Qwen3-Coder-30B-A3B"), else the shortest id
    ("gpt-5.1-codex-mini")."""
    names = {FIREWORKS_DECIMAL.sub(".", product_name(without_serving_suffix(model_part(key)))) for key in api_model_ids}
    spelled = [name for name in names if name != name.lower()]
    return min(spelled or names, key=lambda name: (len(name), name))
