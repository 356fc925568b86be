"""Estimators: serving fit, training time and cost, token counts and costs. Framework-free, like ``benchmark``.

Pure functions over frozen dataclasses: numbers in, a result out, and with every result its *working*,
the list of steps that produced it (the formula, the formula with the numbers put in, the value and its
unit) and the assumptions it rests on, each as a stable code with its parameters. ``catalog.estimating``
builds the inputs from catalog rows and turns the codes into translated sentences; the pages and the API
show the same working.

Units are SI throughout (bytes, byte/s, FLOP/s, seconds); money is USD.
"""

from catalog.estimators.serving import ChipSpec, ModelShape, ServingEstimate, estimate_serving
from catalog.estimators.tokens import TokenCount, count_tokens, token_costs
from catalog.estimators.training import TrainingEstimate, estimate_training
from catalog.estimators.working import Assumption, Step

__all__ = [
    "Assumption",
    "ChipSpec",
    "ModelShape",
    "ServingEstimate",
    "Step",
    "TokenCount",
    "TrainingEstimate",
    "count_tokens",
    "estimate_serving",
    "estimate_training",
    "token_costs",
]
