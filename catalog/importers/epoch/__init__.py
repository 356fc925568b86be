"""Epoch AI's tables "Machine Learning Hardware" (``epoch-hardware``) and "Notable AI Models" (``epoch-models``).

(The Benchmarking Hub's runs, ``epoch-benchmarks``, are scores, not rows to enrich: see ``benchmarks.py``.)

Both are CSV files published under CC BY 4.0 (credit "Epoch AI"). Importing one on top of the catalog enriches
it rather than duplicating it. The decisions, in the order a row meets them:

Columns
    Read by name, because the column set drifts between versions: unknown columns are ignored, and a file that
    lacks a required column (hardware: ``Hardware name``, ``Manufacturer``; models: ``Model``, ``Organization``,
    ``Publication date``, ``Domain``) is refused with the list of what is missing. Other columns are optional.
    A cell that is empty, ``Infinity``, ``-Infinity`` or ``NaN`` is missing, not zero. Any other cell that
    should be a number or a date and is not makes that row an error (so nothing is written).

Units
    Epoch's hardware table is already in SI units (FLOP/s, OP/s, bytes, byte/s, W), like the catalog, so values
    are copied as they are, except ``Transistors (millions)`` (times 1e6). ``Intranode bandwidth (byte/s)`` fills
    ``interconnect_bandwidth``; the internode column (bit/s, network) is not the same quantity and is left out.
    ``Tensor-FP16/BF16 performance`` fills ``bf16_flops``; the plain ``FP16 (half precision)`` column is a
    non-tensor rate and is left out. Dates keep their first ten characters (``2025-12-05 21:21:23+00:00`` is a
    day), precision "day".

Matching (the heart of "enrich, don't duplicate")
    Every catalog row's name, slug and ``aliases`` are loaded once into dictionaries; an Epoch name is then
    compared in three tiers, each accepted only when it points at exactly one row not already claimed by
    another line of the file:

    1. exact, ignoring case (name, slug or an alias);
    2. normalised: lower case, punctuation and spaces dropped, "80 GB" written "80gb", and vendor and brand
       words (NVIDIA, Tesla, AMD, Radeon, Google, Amazon, AWS, Intel, Habana, Huawei) removed, so
       "NVIDIA H100 SXM5 80GB" meets "NVIDIA H100 SXM5 80 GB" and "Intel Habana Gaudi2" meets "Intel Gaudi 2";
    3. (hardware only) the same with memory sizes removed, so "NVIDIA H200 SXM" meets "NVIDIA H200 SXM 141 GB",
       but "NVIDIA Tesla V100 SXM2" (16 GB and 32 GB rows in the catalog) stays ambiguous and is a new row.

    Models use tiers 1 and 2 without the vendor words. A matched row gets Epoch's name added to its
    ``aliases`` (so the next import matches it exactly) and the Epoch source added to its ``sources``.

What a match changes
    It fills the catalog's empty fields with Epoch's values and never overwrites a value the catalog has:
    where both have one and they differ by more than 1 %, the row's report says so ("Epoch says ...; the
    catalog keeps ...") and nothing changes. The exception is a row whose only source is the Epoch table
    (one an earlier Epoch import created): there Epoch's newer values replace the old ones. Vendor, kind,
    organizations, confidence and notes of a catalog row are never touched (notes only when empty).
    Re-importing the same file therefore changes nothing.

New rows
    Slug: ``slugify`` of the Epoch name (cut to 80 characters), made unique against the catalog and the file
    with ``-2``, ``-3``... Every created or updated row cites the Epoch dataset as a Source; that Source is the
    first record of every import (created if missing, left alone if present).

    Organizations are matched like rows (name, slug, aliases, normalised name) plus a short table of Epoch's
    spellings of catalog organizations (``ORGANIZATION_HINTS``: "Google DeepMind" -> google, "Amazon AWS" -> aws).
    An organization must have an ISO country, which the hardware table does not give: a new chip vendor or
    foundry is created only from ``KNOWN_MANUFACTURERS`` (Epoch's manufacturers, with their countries);
    otherwise the row is an error saying so. Nothing is invented silently. An empty ``Manufacturer`` is read
    from the start of the chip name when that names a known manufacturer ("GroqChip ..." -> Groq). The models
    table has ``Country (from Organization)``, one country per organization (``COUNTRIES`` maps Epoch's country
    names to ISO codes); an organization whose country is "Multinational", unknown or not aligned with the
    organization list is left off the model, and the model's report says so. A matched organization whose Epoch
    spelling differs gets it as an alias.

Hardware specifics
    ``Type``: GPU, GPGPU, DCU -> gpu; TPU -> tpu; NPU -> npu; LPU -> lpu; Hybrid CPU -> cpu; ASIC, XPU, XPU-R,
    Other and empty -> asic (the catalog's kind for other accelerators; the row's notes say when Epoch gave no
    type). Confidence: "estimated" when Epoch's ``Notes`` mention an estimate, else "reported". Epoch's notes are
    carried into ``notes``. Several foundries ("SMIC,TSMC"): the first one, the rest in notes. ``Link to
    datasheet``: the first valid URL becomes ``website``.

Models specifics
    Epoch's table holds every "notable" model since the 1950s (vision nets, game players...). A new
    ``FoundationModel`` is created only for a row whose ``Domain`` includes Language, Multimodal, Image
    generation, Video, Speech or Audio and that was published in 2018 or later (GPT-1 and BERT: where the
    catalog's subject starts), and whose ``Model accessibility`` is given (the catalog requires an access
    level: Open weights (...) -> open-weights, API access -> api, Hosted access (no API) -> hosted, Unreleased
    -> unreleased). A row that matches a catalog model is always used to enrich it. The rows left out are
    counted, by reason, in the report of the Source record. ``Domain`` -> modality: Multimodal -> multimodal;
    Language with Vision -> vision-language; Language -> text; Image generation -> image; Video -> video;
    Speech or Audio -> speech. Architecture is "unknown" (Epoch does not record it). ``Confidence``: Confident ->
    reported, Likely -> estimated, Speculative -> speculative, Unknown or empty -> estimated. The notes columns
    (parameters, compute, training time, cost, accessibility) are carried into ``notes``.

    ``Training hardware`` + ``Hardware quantity`` + ``Training time (hours)`` + ``Hardware utilization`` make a
    ``TrainingRun`` (slug ``<model>-epoch``) only when the hardware is a single chip that matches a catalog row
    (import the hardware table first) and the model has no training run of its own in the catalog; otherwise
    they go into the model's notes. Epoch's compute cost is in 2023 dollars, not the nominal dollars of
    ``cost_usd``, so it goes into notes too. ``Base model`` and dataset size (datapoints, not always tokens)
    are not imported.

Performance: the catalog is read in a fixed number of queries before the rows are parsed (names, aliases,
values and source links of every row of the tables involved), so parsing costs no query per row; the engine
then does its usual few queries per record.
"""

from catalog.importers.epoch.benchmarks import parse_benchmark_runs
from catalog.importers.epoch.hardware import parse_hardware
from catalog.importers.epoch.models import parse_models

__all__ = ["parse_benchmark_runs", "parse_hardware", "parse_models"]
