"""The catalog's tables, one module per subject. Import from ``catalog.models``."""

from catalog.models.applications import Application
from catalog.models.base import Source
from catalog.models.benchmarks import BenchmarkResult, BenchmarkRun
from catalog.models.data_version import DataVersion
from catalog.models.discrepancies import Discrepancy
from catalog.models.evaluations import Evaluation, EvaluationScore
from catalog.models.foundation_models import FoundationModel
from catalog.models.glossary import Concept
from catalog.models.hardware import Hardware
from catalog.models.imports import ImportRun, UnmatchedOffering
from catalog.models.organizations import Organization
from catalog.models.price_checks import PriceCheck
from catalog.models.pricing import CloudPrice, PricePoint
from catalog.models.training import TrainingRun

__all__ = [
    "Application",
    "BenchmarkResult",
    "BenchmarkRun",
    "CloudPrice",
    "Concept",
    "DataVersion",
    "Discrepancy",
    "Evaluation",
    "EvaluationScore",
    "FoundationModel",
    "Hardware",
    "ImportRun",
    "Organization",
    "PriceCheck",
    "PricePoint",
    "Source",
    "TrainingRun",
    "UnmatchedOffering",
]
