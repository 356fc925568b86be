"""A log-linear trend with its uncertainty: how many times cheaper (or larger) per year, and a 95 % interval.

Ordinary least squares of log10(value) on time in years. The interval is the slope's, from Student's t with
n - 2 degrees of freedom, turned into factors per year: it says how well a straight line on a log scale pins
the rate down given these points, not whether a straight line is the right model.
"""

import math
from dataclasses import dataclass

CONFIDENCE = 0.95


@dataclass(frozen=True)
class LogLinearFit:
    points: int
    slope: float  # log10 units per year
    intercept: float  # log10 value at year 0
    slope_stderr: float | None  # None with 2 points: no interval
    t_critical: float | None
    r_squared: float
    start_year: float
    end_year: float

    def at(self, year):
        return 10 ** (self.intercept + self.slope * year)

    @property
    def factor_per_year(self):
        """How many times the value is divided by each year (> 1 for a fall)."""
        return 10 ** (-self.slope)

    @property
    def interval(self):
        """(low, high) factor per year at 95 %; None without one. A fall of 1 or less means no fall."""
        if self.slope_stderr is None:
            return None
        margin = self.t_critical * self.slope_stderr
        return 10 ** (-(self.slope + margin)), 10 ** (-(self.slope - margin))


def log_linear_fit(points):
    """The fit through ``points`` ([(year, value > 0)]); None with fewer than 2 usable points or no time span."""
    points = [(year, math.log10(value)) for year, value in points if value and value > 0]
    n = len(points)
    if n < 2:
        return None
    mean_x = sum(x for x, _y in points) / n
    mean_y = sum(y for _x, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _y in points)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    intercept = mean_y - slope * mean_x
    residual = sum((y - intercept - slope * x) ** 2 for x, y in points)
    total = sum((y - mean_y) ** 2 for _x, y in points)
    r_squared = 1 - residual / total if total else 1.0
    stderr = t_critical = None
    if n > 2:
        stderr = math.sqrt(residual / (n - 2) / spread)
        t_critical = student_t_quantile(0.5 + CONFIDENCE / 2, n - 2)
    years = [x for x, _y in points]
    return LogLinearFit(n, slope, intercept, stderr, t_critical, r_squared, min(years), max(years))


def student_t_quantile(probability, degrees):
    """The ``probability`` quantile (> 0.5) of Student's t with ``degrees`` of freedom, by bisection on its CDF."""
    low, high = 0.0, 1.0
    while student_t_cdf(high, degrees) < probability:
        high *= 2
    for _step in range(200):
        middle = (low + high) / 2
        if student_t_cdf(middle, degrees) < probability:
            low = middle
        else:
            high = middle
        if high - low < 1e-12:
            break
    return (low + high) / 2


def student_t_cdf(t, degrees):
    x = degrees / (degrees + t * t)
    tail = 0.5 * regularized_incomplete_beta(degrees / 2, 0.5, x)
    return 1 - tail if t >= 0 else tail


def regularized_incomplete_beta(a, b, x):
    """I_x(a, b) by Lentz's continued fraction (Numerical Recipes, betacf)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x > (a + 1) / (a + b + 2):
        return 1 - regularized_incomplete_beta(b, a, 1 - x)
    tiny = 1e-300
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 300):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1) < 1e-15:
            break
    return front * result / a
