"""A still picture of a figure's first view, drawn on the server from the same figure data plotly.js draws.

plotly.js is half a megabyte of script, and running it and drawing the first chart block a phone's main thread
for over a second. A chart page shows this poster instead: the plot, its axes and tick labels, direct labels
and legend, in plain HTML and SVG that cost nothing to show. charts.js swaps in the interactive plotly chart
once a reader reaches for it (hovers over or touches it, or presses its button), so plotly is fetched only by
readers who use it.

The poster draws what the site's figures use (catalog/charts.py and friends) and no more: scatter traces as
lines (straight or ``hv`` steps, dashed or not) and markers (circles and squares), horizontal bars on a
category axis, linear/log/date axes (with the figure's tick values and labels, or ticks chosen the way plotly
chooses round ones), text annotations without arrows, line shapes, and a legend. A figure asking for anything
else gets no poster (``poster_html`` returns None) and is drawn by plotly as it comes into view, as before, so
a poster is never a wrong picture of its chart.

Layout: the plot area is an absolutely placed box inside the figure's height, inset by the figure's margins;
points sit at percentages of it, so one poster fits every width as plotly's responsive chart does. The SVG
inside stretches (``preserveAspectRatio="none"``) and its strokes do not (``non-scaling-stroke``); markers are
zero-length strokes with round or square caps, so they stay round at any stretch. Margins, font size and the
legend's place follow the same 640-pixel breakpoint as charts.js (site.css).
"""

import math
import re
import unicodedata
from datetime import UTC, datetime
from functools import cached_property

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

VIEW = 1000  # the SVG's coordinate span along each axis (it is stretched to the plot area)
DEFAULT_MARGIN = {"l": 80, "r": 80, "t": 100, "b": 80}  # plotly's defaults, for a figure that sets none
FONT_SIZE = 12
# plotly_white (catalog/plotly_bundles.py): the parts a poster shows.
COLORWAY = ("#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3", "#FF6692", "#B6E880", "#FF97FF")
GRID_COLOR = "#EBF0F8"
INK = "#2a3f5f"
DASHES = {"solid": "", "dot": "2,4", "dash": "6,4", "longdash": "10,5", "dashdot": "6,3,2,3"}
MARKER_CAPS = {"circle": "round", "square": "square"}
SCATTER_MODES = {"lines", "markers", "lines+markers", "markers+lines"}
# A colour the poster writes into an attribute or style: #hex, rgb()/rgba() or a plain CSS name, nothing else.
COLOR = re.compile(r"#[0-9a-fA-F]{3,8}|rgba?\([0-9., ]+\)|[a-zA-Z]{3,20}")
FONT_FAMILY = re.compile(r"[\w\s,'\"-]{1,200}")
YEAR_STEPS = (1, 2, 5, 10, 20, 25, 50, 100)
MAX_TICKS = 7  # round ticks on an axis without its own: about what plotly picks on a phone-to-laptop width


class Unsupported(ValueError):
    """The figure uses something the poster does not draw; plotly draws it instead."""


def poster_html(figure):
    """The poster of ``figure`` (plotly figure JSON data, without template) as safe HTML, or None when the
    figure asks for something a poster does not draw."""
    try:
        return Poster(figure).html()
    except (Unsupported, TypeError, ValueError, KeyError, IndexError, OverflowError):
        return None


def _color(value, fallback):
    if isinstance(value, str) and COLOR.fullmatch(value.strip()):
        return value.strip()
    if value is None:
        return fallback
    raise Unsupported(f"colour {value!r}")


def _luminance(hex_color):
    channels = [int(hex_color[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _ink_on(background):
    """White or the chart's ink, whichever has the higher contrast on ``background`` (a #rrggbb colour)."""
    if not (isinstance(background, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", background)):
        return INK
    shade = _luminance(background)
    on_white = 1.05 / (shade + 0.05)
    on_ink = (shade + 0.05) / (_luminance(INK) + 0.05)
    return "#ffffff" if on_white >= on_ink else INK


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _percent(fraction):
    return f"{fraction * 100:.2f}%"


def _text_width(text, size):
    """A generous estimate of a label's width in pixels (the server cannot measure text): a Hangul or other
    wide character is about an em, any other about 0.6 em."""
    return sum(1.0 if unicodedata.east_asian_width(char) in "WF" else 0.6 for char in str(text)) * size


class Axis:
    """One axis: its type, its range in plotly's own units (log10 for log axes, epoch milliseconds for dates)
    and its ticks as (fraction of the plot, label)."""

    def __init__(self, spec, values, *, letter, padded):
        self.letter = letter
        self.spec = spec or {}
        self.categories = None
        self.type = self.spec.get("type") or self._guess_type(values)
        if self.type not in {"linear", "log", "date", "category"}:
            raise Unsupported(f"{letter} axis type {self.type!r}")
        if self.type == "category":
            order = self.spec.get("categoryarray") or []
            seen = list(dict.fromkeys([*order, *(value for value in values if value is not None)]))
            self.categories = {str(name): index for index, name in enumerate(seen)}
        self.range = self._range(values, padded)
        if not self.range[1] > self.range[0]:
            raise Unsupported(f"{letter} axis has an empty range")
        self.side = self.spec.get("side") or ("bottom" if letter == "x" else "left")
        self.title = ((self.spec.get("title") or {}).get("text")) or ""
        self.show_labels = self.spec.get("showticklabels", True) is not False
        self.tick_size = _number((self.spec.get("tickfont") or {}).get("size")) or FONT_SIZE

    @staticmethod
    def _guess_type(values):
        for value in values:
            if value is None:
                continue
            if isinstance(value, str):
                try:
                    _parse_date(value)
                    return "date"
                except ValueError:
                    return "category"
            return "linear"
        return "linear"

    def raw(self, value):
        """A data value in the axis's own units, or None where it cannot be placed (a gap)."""
        if value is None:
            return None
        if self.type == "category":
            return self.categories.get(str(value))
        if self.type == "date":
            return _parse_date(value) if isinstance(value, str) else None
        number = _number(value)
        if number is None:
            return None
        if self.type == "log":
            return math.log10(number) if number > 0 else None
        return number

    def fraction(self, value):
        """Where a data value falls along the axis, 0 at the start of the range and 1 at its end."""
        raw = self.raw(value)
        return None if raw is None else self.fraction_of_raw(raw)

    def fraction_of_raw(self, raw):
        low, high = self.range
        return (raw - low) / (high - low)

    def _range(self, values, padded):
        given = self.spec.get("range")
        if given and len(given) == 2 and self.type != "date":
            low, high = (_number(given[0]), _number(given[1]))
            if low is None or high is None:
                raise Unsupported("axis range")
            return (low, high)
        if given and len(given) == 2 and self.type == "date":
            return (_parse_date(given[0]), _parse_date(given[1]))
        if self.type == "category":
            return (-0.5, len(self.categories) - 0.5)
        raw = [point for point in (self.raw(value) for value in values) if point is not None]
        if not raw:
            raise Unsupported(f"{self.letter} axis has no data")
        low, high = min(raw), max(raw)
        if high == low:
            spread = abs(low) * 0.1 if low else 1.0
            return (low - spread, high + spread)
        if padded:  # plotly pads an axis so the data fill 90% of it
            pad = (high - low) / 0.9 * 0.05
            return (low - pad, high + pad)
        return (low, high)

    @cached_property
    def ticks(self):
        """(fraction, label) of each tick inside the range (the grid, the labels and the margins all use them)."""
        if self.type == "category":
            return [(self.fraction_of_raw(index), name) for name, index in self.categories.items()]
        values = self.spec.get("tickvals")
        if values:
            labels = self.spec.get("ticktext") or [_format_number(value) for value in values]
            ticks = [(self.fraction(value), label) for value, label in zip(values, labels, strict=False)]
        elif self.type == "date":
            ticks = self._year_ticks()
        elif self.type == "log":
            ticks = [(self.fraction_of_raw(power), _format_number(10**power)) for power in self._decades()]
        else:
            ticks = [(self.fraction_of_raw(value), _format_number(value)) for value in _round_ticks(*self.range)]
        return [
            (fraction, str(label))
            for fraction, label in ticks
            if fraction is not None and -1e-9 <= fraction <= 1 + 1e-9
        ]

    def _decades(self):
        low, high = self.range
        decades = list(range(math.ceil(low), math.floor(high) + 1))
        step = max(1, math.ceil(len(decades) / MAX_TICKS))
        return decades[::step]

    def _year_ticks(self):
        low, high = self.range
        first, last = _year_of(low), _year_of(high)
        if last - first < 2:
            raise Unsupported("a date axis shorter than two years (plotly ticks it by month)")
        step = next((step for step in YEAR_STEPS if (last - first) / step <= MAX_TICKS), YEAR_STEPS[-1])
        years = range(math.ceil(first / step) * step, last + 1, step)
        return [(self.fraction_of_raw(_epoch_ms(datetime(year, 1, 1, tzinfo=UTC))), str(year)) for year in years]


def _parse_date(value):
    text = str(value).strip().replace("T", " ")
    if len(text) == 4 and text.isdigit():
        text += "-01-01"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return _epoch_ms(parsed)


def _epoch_ms(moment):
    return moment.timestamp() * 1000


def _year_of(epoch_ms):
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).year


def _round_ticks(low, high):
    """Round tick values (1, 2 or 5 times a power of ten apart) inside [low, high], at most MAX_TICKS of them."""
    span = high - low
    magnitude = 10 ** math.floor(math.log10(span / MAX_TICKS))
    step = next(magnitude * factor for factor in (1, 2, 5, 10) if span / (magnitude * factor) <= MAX_TICKS)
    first = math.ceil(low / step - 1e-9)
    return [round(index * step, 12) for index in range(first, math.floor(high / step + 1e-9) + 1)]


def _format_number(value):
    """plotly's default tick label: SI-like suffixes (k, M, B) for big numbers, no trailing zeros."""
    number = float(value)
    for suffix, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(number) >= scale:
            return f"{number / scale:g}{suffix}"
    return f"{number:g}"


class Poster:
    """One figure's poster. Building it checks the whole figure first (``Unsupported`` if any part is beyond
    it), so ``html`` never draws half a chart."""

    def __init__(self, figure):
        if not isinstance(figure, dict):
            raise Unsupported("figure")
        self.layout = figure.get("layout") or {}
        self.traces = [trace for trace in figure.get("data") or () if trace.get("visible", True) is True]
        if not self.traces:
            raise Unsupported("no traces")
        for trace in self.traces:
            self._check(trace)
        if self.layout.get("barmode", "group") not in {"group", "overlay"} or any(
            key in self.layout for key in ("images", "updatemenus", "sliders", "xaxis2", "yaxis2", "grid")
        ):
            raise Unsupported("layout")
        xs = [value for trace in self.traces for value in trace.get("x") or ()]
        ys = [value for trace in self.traces for value in trace.get("y") or ()]
        markers = any("markers" in (trace.get("mode") or "") for trace in self.traces)
        bars = any(trace.get("type") == "bar" for trace in self.traces)
        self.x = Axis(self.layout.get("xaxis"), xs, letter="x", padded=markers)
        self.y = Axis(self.layout.get("yaxis"), ys, letter="y", padded=True)
        if bars and (self.y.type != "category" or self.x.type == "category"):
            raise Unsupported("bars other than horizontal ones on a category axis")
        if sum(trace.get("type") == "bar" for trace in self.traces) > 1 and self.layout.get("barmode") != "overlay":
            raise Unsupported("grouped bars")
        self.height = _number(self.layout.get("height"))
        self.font_family = (self.layout.get("font") or {}).get("family")
        if self.font_family is not None and not FONT_FAMILY.fullmatch(str(self.font_family)):
            raise Unsupported("font family")

    @staticmethod
    def _check(trace):
        kind = trace.get("type", "scatter")
        if kind == "scatter":
            if (trace.get("mode") or "lines+markers") not in SCATTER_MODES:
                raise Unsupported(f"scatter mode {trace.get('mode')!r}")
            if trace.get("fill") not in (None, "none") or trace.get("error_x") or trace.get("error_y"):
                raise Unsupported("fills and error bars")
            if (trace.get("line") or {}).get("shape", "linear") not in {"linear", "hv"}:
                raise Unsupported("line shape")
            if (trace.get("line") or {}).get("dash", "solid") not in DASHES:
                raise Unsupported("line dash")
            symbols = (trace.get("marker") or {}).get("symbol", "circle")
            for symbol in symbols if isinstance(symbols, list) else [symbols]:
                if symbol not in MARKER_CAPS:
                    raise Unsupported(f"marker {symbol!r}")
        elif kind == "bar":
            if trace.get("orientation") != "h" or trace.get("base") is not None:
                raise Unsupported("vertical or based bars")
            shapes = ((trace.get("marker") or {}).get("pattern") or {}).get("shape")
            if shapes and any(shapes if isinstance(shapes, list) else [shapes]):
                raise Unsupported("hatched bars")
        else:
            raise Unsupported(f"trace type {kind!r}")
        if trace.get("xaxis", "x") != "x" or trace.get("yaxis", "y") != "y":
            raise Unsupported("a second axis")

    # ---- layout ----

    def margins(self):
        """The plot area's inset in pixels on a wide screen: the figure's margins, widened (as plotly's
        automargin does) where the tick labels and axis titles would not fit; ``ln`` is the left one on a
        phone, where charts.js sets a 50-pixel margin and an 11-pixel font."""
        given = self.layout.get("margin") or {}
        margin = {**DEFAULT_MARGIN, **{key: _number(given[key]) for key in given if _number(given[key]) is not None}}
        margin["l"] = max(margin["l"], self._left_needed(1.0))
        margin["ln"] = max(50, self._left_needed(11 / FONT_SIZE))
        room = FONT_SIZE + 10 + (FONT_SIZE + 14 if self.x.title else 0)
        side = "t" if self.x.side == "top" else "b"
        margin[side] = max(margin[side], room)
        return {key: round(margin[key]) for key in ("l", "ln", "r", "t", "b")}

    def _left_needed(self, scale):
        labels = [label for _, label in self.y.ticks] if self.y.show_labels else []
        needed = max((_text_width(label, self.y.tick_size * scale) for label in labels), default=0) + 8
        if self.y.title:
            needed += (FONT_SIZE + 16) * scale
        return needed

    def show_legend(self):
        shown = self.layout.get("showlegend")
        if shown is False:
            return False
        entries = [trace for trace in self.traces if trace.get("showlegend", True) is not False]
        return bool(entries) and (shown is True or len(self.traces) > 1)

    def legend_below(self):
        legend = self.layout.get("legend") or {}
        return legend.get("orientation") == "h"

    # ---- drawing ----

    def html(self):
        margin = self.margins()
        horizontal_bars = all(trace.get("type") == "bar" for trace in self.traces)
        # Without a height of its own a figure fills its box (.plot's height in site.css), as plotly's does.
        style = "".join(f"--poster-{key}:{value}px;" for key, value in margin.items())
        if self.height:
            style += f"--poster-height:{round(self.height)}px;"
        if self.show_legend():
            style += f"--poster-legend-column:{round(self.legend_column())}px;"
        if self.font_family:
            style += f"font-family:{self.font_family}"
        classes = ["poster"]
        if horizontal_bars:
            classes.append("poster-hbars")
        if self.show_legend() and self.legend_below():
            classes.append("poster-legend-below")
        if self.x.side == "top":
            classes.append("poster-x-top")
        body = format_html(
            '<div class="poster-frame"><div class="poster-area">{}{}{}{}</div>{}</div>{}',
            self.svg(),
            self.tick_labels(),
            self.annotations(),
            self.bar_names() if horizontal_bars else "",
            self.titles(),
            self.legend() if self.show_legend() else "",
        )
        return format_html('<div class="{}" style="{}" aria-hidden="true">{}</div>', " ".join(classes), style, body)

    def svg(self):
        parts = [self.grid(), self.shapes()]
        for index, trace in enumerate(self.traces):
            if trace.get("type") == "bar":
                parts.append(self.bars(trace, index))
            else:
                parts.append(self.scatter(trace, index))
        return format_html(
            '<svg class="poster-plot" viewBox="0 0 {0} {0}" preserveAspectRatio="none" focusable="false">{1}</svg>',
            VIEW,
            mark_safe("".join(str(part) for part in parts)),
        )

    @staticmethod
    def _x(fraction):
        return f"{fraction * VIEW:.1f}"

    @staticmethod
    def _y(fraction):
        return f"{(1 - fraction) * VIEW:.1f}"

    def grid(self):
        lines = [f"M{self._x(fraction)} 0V{VIEW}" for fraction, _ in self.x.ticks]
        lines += [f"M0 {self._y(fraction)}H{VIEW}" for fraction, _ in self.y.ticks]
        if not lines:
            return ""
        return format_html(
            '<path d="{}" stroke="{}" stroke-width="1" fill="none" vector-effect="non-scaling-stroke"/>',
            "".join(lines),
            GRID_COLOR,
        )

    def trace_color(self, trace, index):
        fallback = COLORWAY[index % len(COLORWAY)]
        line = (trace.get("line") or {}).get("color")
        marker = (trace.get("marker") or {}).get("color")
        if isinstance(marker, list):  # a colour per point: the trace as a whole takes the default
            marker = None
        return _color(line if line is not None else marker, fallback)

    def points(self, trace):
        xs, ys = trace.get("x") or [], trace.get("y") or []
        for x, y in zip(xs, ys, strict=False):
            fx, fy = self.x.fraction(x), self.y.fraction(y)
            yield (None if fx is None or fy is None else (fx, fy))

    def scatter(self, trace, index):
        mode = trace.get("mode") or "lines+markers"
        line = trace.get("line") or {}
        color = self.trace_color(trace, index)
        parts = []
        if "lines" in mode:
            steps = line.get("shape") == "hv"
            path, previous = [], None
            for point in self.points(trace):
                if point is None:
                    previous = None
                    continue
                x, y = self._x(point[0]), self._y(point[1])
                if previous is None:
                    path.append(f"M{x} {y}")
                elif steps:
                    path.append(f"H{x}V{y}")
                else:
                    path.append(f"L{x} {y}")
                previous = point
            width = _number(line.get("width")) or 2
            parts.append(
                format_html(
                    '<path d="{}" stroke="{}" stroke-width="{}" stroke-dasharray="{}" fill="none" '
                    'stroke-linejoin="round" vector-effect="non-scaling-stroke"/>',
                    "".join(path),
                    _color(line.get("color"), color),
                    width,
                    DASHES[line.get("dash") or "solid"] or "none",
                )
            )
        if "markers" in mode:
            parts.append(self.markers(trace, color))
        return mark_safe("".join(str(part) for part in parts))

    def markers(self, trace, color):
        marker = trace.get("marker") or {}
        sizes, colors, symbols = marker.get("size", 6), marker.get("color"), marker.get("symbol", "circle")
        outline = marker.get("line") or {}
        outline_width = _number(outline.get("width")) or 0
        outline_color = _color(outline.get("color"), "#444") if outline_width else None
        opacity = _number(marker.get("opacity"))
        # One path per look (colour, size, shape): each point a zero-length subpath, which its cap draws. All the
        # outlines go first, under the fills, as plotly's do.
        outlines, fills = {}, {}
        for position, point in enumerate(self.points(trace)):
            if point is None:
                continue
            size = _number(sizes[position] if isinstance(sizes, list) else sizes) or 6
            fill = _color(colors[position] if isinstance(colors, list) else colors, color)
            cap = MARKER_CAPS[symbols[position] if isinstance(symbols, list) else symbols]
            # A square cap spans the stroke width on each side of the point: the same size as the round one.
            d = f"M{self._x(point[0])} {self._y(point[1])}h0"
            if outline_color:
                outlines.setdefault((outline_color, size + 2 * outline_width, cap), []).append(d)
            fills.setdefault((fill, size, cap), []).append(d)
        dots = [self._dot("".join(d), *look, opacity) for looks in (outlines, fills) for look, d in looks.items()]
        return mark_safe("".join(str(dot) for dot in dots))

    @staticmethod
    def _dot(d, color, size, cap, opacity):
        return format_html(
            '<path d="{}" stroke="{}" stroke-width="{}" stroke-linecap="{}"{} vector-effect="non-scaling-stroke"/>',
            d,
            color,
            f"{size:g}",
            cap,
            format_html(' stroke-opacity="{}"', f"{opacity:g}") if opacity is not None else "",
        )

    def bars(self, trace, index):
        color = self.trace_color(trace, index)
        colors = (trace.get("marker") or {}).get("color")
        gap = _number(self.layout.get("bargap"))
        gap = 0.2 if gap is None else gap
        band = (1 - gap) / (self.y.range[1] - self.y.range[0])  # one bar per category: overlaid, never grouped
        base = max(0.0, min(1.0, self.x.fraction_of_raw(0) if self.x.type == "linear" else 0.0))
        rects = []
        for position, (value, category) in enumerate(zip(trace.get("x") or [], trace.get("y") or [], strict=False)):
            end, middle = self.x.fraction(value), self.y.fraction(category)
            if end is None or middle is None:
                continue
            end = max(0.0, min(1.0, end))
            top = middle + band / 2
            fill = _color(colors[position] if isinstance(colors, list) else None, color)
            rects.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    self._x(min(base, end)),
                    self._y(top),
                    f"{abs(end - base) * VIEW:.1f}",
                    f"{band * VIEW:.1f}",
                    fill,
                )
            )
        return mark_safe("".join(str(rect) for rect in rects))

    def shapes(self):
        lines = []
        for shape in self.layout.get("shapes") or ():
            if shape.get("type") != "line":
                raise Unsupported("shapes other than lines")
            x0, x1 = (self._place(shape.get(key), shape.get("xref", "x"), self.x) for key in ("x0", "x1"))
            y0, y1 = (self._place(shape.get(key), shape.get("yref", "y"), self.y) for key in ("y0", "y1"))
            line = shape.get("line") or {}
            lines.append(
                format_html(
                    '<path d="M{} {}L{} {}" stroke="{}" stroke-width="{}" stroke-dasharray="{}" '
                    'vector-effect="non-scaling-stroke"/>',
                    self._x(x0),
                    self._y(y0),
                    self._x(x1),
                    self._y(y1),
                    _color(line.get("color"), "#444"),
                    _number(line.get("width")) or 2,
                    DASHES.get(line.get("dash") or "solid", "") or "none",
                )
            )
        return mark_safe("".join(str(line) for line in lines))

    @staticmethod
    def _place(value, ref, axis):
        """A shape's or annotation's coordinate as a fraction of the plot: ``x``/``y`` refs give it in the
        axis's own units (log10 on a log axis, as plotly has it), ``domain`` and ``paper`` refs as a fraction."""
        if ref in (axis.letter, None):
            if axis.type == "log":
                number = _number(value)
                if number is None:
                    raise Unsupported("annotation position")
                return axis.fraction_of_raw(number)
            placed = axis.fraction(value)
            if placed is None:
                raise Unsupported("annotation position")
            return placed
        if ref in (f"{axis.letter} domain", "paper"):
            number = _number(value)
            if number is None:
                raise Unsupported("annotation position")
            return number
        raise Unsupported(f"reference {ref!r}")

    def tick_labels(self):
        labels = []
        for axis, css in ((self.x, "poster-xtick"), (self.y, "poster-ytick")):
            if not axis.show_labels:
                continue
            for fraction, label in axis.ticks:
                place = f"left:{_percent(fraction)}" if axis is self.x else f"top:{_percent(1 - fraction)}"
                size = f";font-size:{axis.tick_size:g}px" if axis.tick_size != FONT_SIZE else ""
                labels.append(
                    format_html('<span class="poster-tick {}" style="{}{}">{}</span>', css, place, size, label)
                )
        return mark_safe("".join(str(label) for label in labels))

    def bar_names(self):
        """On a phone the category labels give way to each bar's name inside it (as charts.js does), in white or
        in ink, whichever reads better on the bar."""
        fills = {}
        for index, trace in enumerate(self.traces):
            colors = (trace.get("marker") or {}).get("color")
            for position, category in enumerate(trace.get("y") or ()):
                own = colors[position] if isinstance(colors, list) else None
                fills.setdefault(str(category), _color(own, self.trace_color(trace, index)))
        names = [
            format_html(
                '<span class="poster-barname" style="top:{};color:{}">{}</span>',
                _percent(1 - fraction),
                _ink_on(fills.get(label)),
                label,
            )
            for fraction, label in self.y.ticks
        ]
        return mark_safe("".join(str(name) for name in names))

    def annotations(self):
        notes = []
        anchors_x = {"left": "0", "center": "-50%", "right": "-100%", "auto": "-50%"}
        anchors_y = {"top": "0", "middle": "-50%", "bottom": "-100%", "auto": "-50%"}
        for note in self.layout.get("annotations") or ():
            if note.get("showarrow", True) is not False:
                raise Unsupported("annotations with arrows")
            x = self._place(note.get("x"), note.get("xref", "x"), self.x)
            y = self._place(note.get("y"), note.get("yref", "y"), self.y)
            font = note.get("font") or {}
            style = format_html(
                "left:{};top:{};transform:translate({},{})",
                _percent(x),
                _percent(1 - y),
                anchors_x.get(note.get("xanchor", "auto"), "-50%"),
                anchors_y.get(note.get("yanchor", "auto"), "-50%"),
            )
            if font.get("color"):
                style += format_html(";color:{}", _color(font["color"], "inherit"))
            if _number(font.get("size")):
                style += format_html(";font-size:{}px", f"{_number(font['size']):g}")
            # Annotation text is plotly's own markup: the poster shows it as plain text.
            text = re.sub(r"<[^>]*>", " ", str(note.get("text") or ""))
            notes.append(format_html('<span class="poster-note" style="{}">{}</span>', style, text))
        return mark_safe("".join(str(note) for note in notes))

    def titles(self):
        titles = []
        if self.x.title:
            titles.append(format_html('<span class="poster-title poster-xtitle">{}</span>', self.x.title))
        if self.y.title:
            titles.append(format_html('<span class="poster-title poster-ytitle">{}</span>', self.y.title))
        return mark_safe("".join(str(title) for title in titles))

    def legend(self):
        entries = []
        for index, trace in enumerate(self.traces):
            if trace.get("showlegend", True) is False:
                continue
            entries.append((self.legend_sample(trace, index), trace.get("name") or f"trace {index}"))
        return format_html('<ul class="poster-legend">{}</ul>', format_html_join("", "<li>{}{}</li>", entries))

    def legend_column(self):
        """The width of a legend column when the legend runs in rows: plotly gives every entry the widest one's
        width (its 40-pixel sample, the name at 11 pixels, a gap)."""
        names = [trace.get("name") or "" for trace in self.traces if trace.get("showlegend", True) is not False]
        return 40 + max(_text_width(name, 11) for name in names) + 10

    def legend_sample(self, trace, index):
        color = self.trace_color(trace, index)
        if trace.get("type") == "bar":
            return format_html(
                '<svg viewBox="0 0 20 10" focusable="false"><rect x="4" y="0" width="12" height="10" fill="{}"/></svg>',
                color,
            )
        mode = trace.get("mode") or "lines+markers"
        line = trace.get("line") or {}
        parts = []
        if "lines" in mode:
            parts.append(
                format_html(
                    '<path d="M0 5H30" stroke="{}" stroke-width="{}" stroke-dasharray="{}"/>',
                    _color(line.get("color"), color),
                    min(_number(line.get("width")) or 2, 4),
                    DASHES[line.get("dash") or "solid"] or "none",
                )
            )
        if "markers" in mode:
            marker = trace.get("marker") or {}
            symbol = marker.get("symbol", "circle")
            symbol = symbol[0] if isinstance(symbol, list) and symbol else symbol
            fill = marker.get("color")
            fill = _color(fill[0] if isinstance(fill, list) and fill else fill, color)
            parts.append(
                format_html(
                    '<path d="M15 5h0" stroke="{}" stroke-width="8" stroke-linecap="{}"/>',
                    fill,
                    MARKER_CAPS.get(symbol, "round"),
                )
            )
        return format_html(
            '<svg viewBox="0 0 30 10" focusable="false">{}</svg>', mark_safe("".join(str(part) for part in parts))
        )
