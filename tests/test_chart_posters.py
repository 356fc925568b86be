"""The chart posters (catalog/chart_posters.py): a still drawing of each figure, put where plotly.js will draw.

Pure functions of the figure data, checked here without a browser: where points, bars and labels land, which
figures get no poster (so plotly draws them), and that no text from the data reaches the page unescaped.
tests/test_browser.py checks a poster against plotly's own drawing of the same figure in Chromium.
"""

import re
from html.parser import HTMLParser

import pytest

from catalog.chart_posters import Axis, Unsupported, poster_html
from tests.chart_urls import CHART_PAGES


class Poster(HTMLParser):
    """The poster's tick labels (axis, position, text), paths, rects, notes and legend entries."""

    def __init__(self, html):
        super().__init__()
        self.ticks, self.paths, self.rects, self.notes, self.legend, self.styles = [], [], [], [], [], []
        self.open, self.in_legend = None, False
        self.feed(str(html))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if attrs.get("style"):
            self.styles.append(attrs["style"])
        if tag == "path":
            self.paths.append(attrs)
        elif tag == "rect" and not self.in_legend:
            self.rects.append(attrs)
        elif "poster-legend" in classes:
            self.in_legend = True
        elif "poster-tick" in classes:
            self.open = ["tick", "x" if "poster-xtick" in classes else "y", attrs["style"], ""]
        elif "poster-note" in classes:
            self.open = ["note", None, attrs["style"], ""]
        elif tag == "li":
            self.open = ["legend", None, "", ""]

    def handle_data(self, data):
        if self.open:
            self.open[3] += data

    def handle_endtag(self, tag):
        if tag == "ul":
            self.in_legend = False
        if self.open and tag in ("span", "li"):
            kind, axis, style, text = self.open
            {"tick": self.ticks, "note": self.notes, "legend": self.legend}[kind].append((axis, style, text))
            self.open = None


def percent(style, side):
    return float(re.search(rf"{side}:([-0-9.]+)%", style).group(1))


def step_figure(**layout):
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines",
                "name": "GPT-4",
                "x": ["2023-01-01", "2024-01-01", "2025-01-01"],
                "y": [10, 1, 0.1],
                "line": {"shape": "hv", "dash": "dash", "color": "#10a37f", "width": 2.5},
            },
            {"type": "scatter", "mode": "lines", "name": "Other", "x": ["2023-01-01", "2025-01-01"], "y": [5, 5]},
        ],
        "layout": {
            "margin": {"l": 70, "r": 20, "t": 30, "b": 50},
            "xaxis": {"title": {"text": "Date"}},
            "yaxis": {
                "type": "log",
                "range": [-2, 2],
                "tickvals": [0.01, 1, 100],
                "ticktext": ["$0.01", "$1", "$100"],
                "title": {"text": "USD"},
            },
            **layout,
        },
    }


def test_a_step_line_on_a_log_axis_lands_where_plotly_puts_it():
    poster = Poster(poster_html(step_figure()))
    # The log axis runs from 10^-2 to 10^2: $1 is half way up, $100 at the top.
    y_ticks = {text: percent(style, "top") for axis, style, text in poster.ticks if axis == "y"}
    assert y_ticks == {"$0.01": 100.0, "$1": 50.0, "$100": 0.0}
    # A line without markers spans the x axis exactly (plotly pads only for markers): 2023 to 2025.
    x_ticks = {text: percent(style, "left") for axis, style, text in poster.ticks if axis == "x"}
    assert x_ticks["2023"] == 0.0 and x_ticks["2025"] == 100.0
    assert 49.9 < x_ticks["2024"] < 50.1
    line = next(path for path in poster.paths if path.get("stroke") == "#10a37f")
    # hv: across at the old price, then down; y=10 is 3/4 of the way up the 0..1000 view, 1 half way.
    assert line["d"] == "M0.0 250.0H499.3V500.0H1000.0V750.0"
    assert line["stroke-dasharray"] == "6,4" and line["vector-effect"] == "non-scaling-stroke"
    assert [text for _, _, text in poster.legend] == ["GPT-4", "Other"]


def test_direct_labels_use_the_axis_units_plotly_uses():
    figure = step_figure(
        annotations=[
            {"text": "GPT-4", "x": "2025-01-01", "y": 0, "xanchor": "right", "yanchor": "bottom", "showarrow": False}
        ]
    )
    ((_, style, text),) = Poster(poster_html(figure)).notes
    # On a log axis an annotation's y is log10 of the value: 0 is $1, half way up.
    assert text == "GPT-4"
    assert percent(style, "left") == 100.0 and percent(style, "top") == 50.0
    assert "translate(-100%,-100%)" in style


def test_horizontal_bars_sit_on_their_categories():
    figure = {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "NVIDIA",
                "x": [1e15, 1e14],
                "y": ["H100", "A100"],
                "marker": {"color": "#76b900"},
            },
            {
                "type": "bar",
                "orientation": "h",
                "name": "AMD",
                "x": [1e16],
                "y": ["MI300X"],
                "marker": {"color": "#ed1c24"},
            },
        ],
        "layout": {
            "barmode": "overlay",
            "bargap": 0.25,
            "xaxis": {"type": "log", "range": [14, 16]},
            "yaxis": {"categoryorder": "array", "categoryarray": ["A100", "H100", "MI300X"]},
        },
    }
    poster = Poster(poster_html(figure))
    by_fill = {}
    for rect in poster.rects:
        by_fill.setdefault(rect.get("fill"), []).append(rect)
    nvidia = sorted(by_fill["#76b900"], key=lambda rect: float(rect["width"]))
    # 10^14 is the axis start (no width), 10^15 half way; the first category is at the bottom.
    assert [rect["width"] for rect in nvidia] == ["0.0", "500.0"]
    (amd,) = by_fill["#ed1c24"]
    assert amd["width"] == "1000.0"
    assert float(amd["height"]) == pytest.approx(1000 * 0.75 / 3, abs=0.1)
    assert float(amd["y"]) == pytest.approx(0 + 1000 * (1 / 3 - 0.75 / 3) / 2, abs=0.1)
    # On a red bar the phone's in-bar name is white; on a light green one it is ink.
    html = str(poster_html(figure))
    assert re.search(r'color:#ffffff">MI300X<', html) and re.search(r'color:#2a3f5f">H100<', html)


def test_markers_keep_their_shape_and_size():
    figure = {
        "data": [
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Intel",
                "x": [1, 2, 3],
                "y": [1, 2, 3],
                "marker": {
                    "size": [8, 12, 8],
                    "symbol": ["square", "circle", "square"],
                    "color": "#0071c5",
                    "line": {"color": "#333", "width": 1},
                },
            }
        ],
        "layout": {},
    }
    dots = [path for path in Poster(poster_html(figure)).paths if path.get("stroke-linecap")]
    # Zero-length strokes with a cap of the marker's shape, one path per look: the outlines (1 px wider on each
    # side), then the fills over them.
    looks = [(dot["stroke"], dot["stroke-width"], dot["stroke-linecap"], dot["d"].count("h0")) for dot in dots]
    assert looks == [
        ("#333", "10", "square", 2),
        ("#333", "14", "round", 1),
        ("#0071c5", "8", "square", 2),
        ("#0071c5", "12", "round", 1),
    ]
    # x from 1 to 3 padded by 5% of the axis each side (plotly pads for markers): the middle point is centred.
    assert re.fullmatch(r"M500\.0 500\.0h0", dots[1]["d"])


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f["data"][0].update(type="box"),
        lambda f: f["data"][0].update(mode="text"),
        lambda f: f["data"][0].update(fill="tozeroy"),
        lambda f: f["data"][0]["line"].update(shape="spline"),
        lambda f: f["data"][0].update(marker={"symbol": "diamond"}, mode="markers"),
        lambda f: f["data"][0].update(type="bar", orientation="v"),
        lambda f: f.update(
            data=[{"type": "bar", "orientation": "h", "x": [1], "y": ["a"]}] * 2, layout={"barmode": "group"}
        ),
        lambda f: f["layout"].update(annotations=[{"text": "x", "x": "2024-01-01", "y": 0, "showarrow": True}]),
        lambda f: f["layout"].update(shapes=[{"type": "rect", "x0": 0, "x1": 1, "y0": 0, "y1": 1}]),
        lambda f: f["data"][0]["line"].update(color="red;background:url(x)"),
        lambda f: f["layout"].update(font={"family": "a;}body{display:none"}),
        lambda f: f["data"][0].update(yaxis="y2"),
        lambda f: f.update(data=[]),
    ],
    ids=[
        "box",
        "text-mode",
        "fill",
        "spline",
        "diamond",
        "vertical-bars",
        "grouped-bars",
        "arrow",
        "rect-shape",
        "css-in-colour",
        "css-in-font",
        "second-axis",
        "no-traces",
    ],
)
def test_a_figure_the_poster_cannot_draw_gets_none(change):
    """plotly draws it instead: a poster is never a wrong or partial picture, and never carries injected CSS."""
    figure = step_figure()
    change(figure)
    assert poster_html(figure) is None


def test_hatched_bars_get_no_poster():
    figure = {
        "data": [{"type": "bar", "orientation": "h", "x": [1], "y": ["a"], "marker": {"pattern": {"shape": ["/"]}}}],
        "layout": {},
    }
    assert poster_html(figure) is None
    figure["data"][0]["marker"]["pattern"]["shape"] = [""]
    assert poster_html(figure) is not None


def test_text_from_the_data_is_escaped():
    figure = step_figure(
        annotations=[{"text": "<b>bold</b><script>x</script>", "x": "2024-01-01", "y": 0, "showarrow": False}]
    )
    figure["data"][0]["name"] = '<img src=x onerror="alert(1)">'
    figure["layout"]["yaxis"]["ticktext"] = ["<i>a</i>", "b", "c"]
    html = str(poster_html(figure))
    assert "<img" not in html and "<script" not in html and "<i>" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "&lt;i&gt;a&lt;/i&gt;" in html


def test_round_ticks_on_axes_without_their_own():
    linear = Axis({"range": [0, 1.05]}, [], letter="y", padded=True)
    assert [label for _, label in linear.ticks] == ["0", "0.2", "0.4", "0.6", "0.8", "1"]
    log = Axis({"type": "log"}, [3, 2e9], letter="y", padded=False)
    # Nine decades: every other one, so no more than seven labels.
    assert [label for _, label in log.ticks] == ["10", "1k", "100k", "10M", "1B"]
    years = Axis({}, ["1971-01-01", "2026-06-01"], letter="x", padded=False)
    assert [label for _, label in years.ticks] == ["1980", "1990", "2000", "2010", "2020"]
    with pytest.raises(Unsupported):
        assert Axis({}, ["2026-01-01", "2026-06-01"], letter="x", padded=False).ticks


def test_no_legend_for_one_trace_and_none_when_the_figure_hides_it():
    one = step_figure()
    one["data"] = one["data"][:1]
    assert Poster(poster_html(one)).legend == []
    hidden = step_figure(showlegend=False)
    assert Poster(poster_html(hidden)).legend == []
    below = step_figure(legend={"orientation": "h", "y": -0.2})
    assert "poster-legend-below" in str(poster_html(below))


# The bundled data's figures that a poster does not draw, on purpose: the compare charts' hatched bars.
WITHOUT_POSTER = {"compare-hardware", "compare-models"}


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
@pytest.mark.parametrize("path", CHART_PAGES)
def test_every_chart_of_the_bundled_data_arrives_with_its_poster(client, path):
    """A renderer that silently gave up (``poster_html`` returns None on any surprise) would fail here."""
    html = client.get(path).content.decode()
    plots = re.findall(r'<div id="([^"]+)" class="plot[^"]*" data-figure="[^"]+"( data-poster)?', html)
    assert plots, path
    for plot_id, has_poster in plots:
        assert bool(has_poster) == (plot_id not in WITHOUT_POSTER), (path, plot_id)
        if has_poster:
            poster = html.split(f'<div id="{plot_id}"', 1)[1]
            assert poster.split(">", 1)[1].startswith('<div class="poster'), (path, plot_id)


def test_korean_names_get_legend_columns_wide_enough_for_them():
    """Hangul is about twice as wide as Latin letters: a legend in rows gives it room (as plotly's does)."""
    english, korean = step_figure(), step_figure()
    korean["data"][0]["name"] = "클로드 소네트"  # as many characters as the English name
    english["data"][0]["name"] = "Claude Ed"
    column = re.compile(r"--poster-legend-column:(\d+)px")
    assert int(column.search(str(poster_html(korean))).group(1)) > int(
        column.search(str(poster_html(english))).group(1)
    )
