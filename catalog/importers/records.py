"""What a format hands the engine: rows as plain values, related rows by natural key."""

from dataclasses import dataclass, field

from catalog.models import (
    Application,
    CloudPrice,
    Concept,
    FoundationModel,
    Hardware,
    Organization,
    PricePoint,
    Source,
    TrainingRun,
)

# The tables an import may write, parents first, by the label fixtures use.
IMPORTABLE = {
    "catalog.source": Source,
    "catalog.organization": Organization,
    "catalog.hardware": Hardware,
    "catalog.foundationmodel": FoundationModel,
    "catalog.trainingrun": TrainingRun,
    "catalog.pricepoint": PricePoint,
    "catalog.cloudprice": CloudPrice,
    "catalog.application": Application,
    "catalog.concept": Concept,
}

# The fields that identify a row across databases (its natural key); a relation in a key is written as
# the related row's own natural key.
NATURAL_KEYS = {
    Source: ("url",),
    Organization: ("slug",),
    Hardware: ("slug",),
    FoundationModel: ("slug",),
    TrainingRun: ("slug",),
    Application: ("slug",),
    Concept: ("slug",),
    PricePoint: ("provider", "api_model_id", "context_tier", "effective_from"),
    CloudPrice: ("provider", "instance_type", "region", "pricing_kind", "effective_from"),
}


def label_of(model):
    return f"{model._meta.app_label}.{model._meta.model_name}"


@dataclass
class Record:
    """One row of a file: ``fields`` as written (a relation as a natural-key list, many as a list of them)."""

    model: type
    fields: dict
    where: str  # "line 12", "row 3", "entry 'gpt-4o'": how a person finds it in the file
    errors: list = field(default_factory=list)  # problems found while reading the file
    notes: list = field(default_factory=list)  # remarks for the report that are not errors


@dataclass
class ParsedFile:
    """What a format read: records for the engine, and entries it could not place, kept for review."""

    records: list
    unmatched: list = field(default_factory=list)  # UnmatchedOffering field values, saved when applied
