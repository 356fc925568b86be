"""The working shown beside every estimate: steps and assumptions, as plain data.

A ``Step`` is one line of arithmetic: a stable ``key`` (pages translate it into a label), the formula in
symbols, the same formula with the numbers put in, the value and its unit. An ``Assumption`` is a stable
``code`` with the numbers it mentions; the words are the caller's, so they can be translated.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Step:
    key: str
    formula: str
    substituted: str
    value: float | None
    unit: str

    def as_dict(self):
        return {
            "key": self.key,
            "formula": self.formula,
            "substituted": self.substituted,
            "value": self.value,
            "unit": self.unit,
        }


@dataclass(frozen=True)
class Assumption:
    code: str
    params: dict = field(default_factory=dict)

    def as_dict(self):
        return {"code": self.code, "params": dict(self.params)}


def num(value):
    """A number as it is written inside a formula: 4 significant digits, scientific notation when large.

    ``1.4e+11`` -> ``1.4e11``; ``0.5`` -> ``0.5``; ``8`` -> ``8``. Not for prose: pages format results
    with the site's own filters.
    """
    if value is None:
        return "?"
    number = float(value)
    if number == int(number) and abs(number) < 1e6:
        return str(int(number))
    if 1e-3 <= abs(number) < 1e6:
        return f"{number:.4g}"
    mantissa, exponent = f"{number:.4g}".split("e") if "e" in f"{number:.4g}" else (f"{number:.4g}", "0")
    return f"{mantissa}e{int(exponent)}"


class Working:
    """Collects steps and assumptions while an estimate is worked out."""

    def __init__(self):
        self.steps = []
        self.assumptions = []

    def step(self, key, formula, substituted, value, unit):
        self.steps.append(Step(key, formula, substituted, value, unit))
        return value

    def assume(self, code, **params):
        self.assumptions.append(Assumption(code, params))
