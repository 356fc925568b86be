from catalog import charts
from catalog.chart_posters import poster_html
from catalog.plotly_bundles import without_template


def figure_context(figures, captions=None, tables=None):
    """Each figure's element id, the id of its JSON data element, and the figure as JSON-ready data (``figures``
    holds plotly figures, or their data already: catalog/cache/figures.py keeps figures as data). The layout
    template is left out: charts.js applies the one shared template (catalog/plotly_bundles.py).

    ``captions`` and ``tables`` map an element id to the figure's own caption (which names it for screen readers:
    no two figures of a page share one) and to the address of the rows it draws, as a table (its text alternative);
    catalog/charts/_figure.html falls back to the page's title and ``rows_url``.

    ``poster`` is the figure drawn still on the server (catalog/chart_posters.py), or None where a poster
    cannot draw it: the page shows it until the reader reaches for the chart and plotly.js draws it."""
    entries = []
    for element_id, figure in figures.items():
        data = without_template(figure if isinstance(figure, dict) else charts.figure_json(figure))
        entries.append(
            {
                "id": element_id,
                "data_id": f"{element_id}-data",
                "caption": (captions or {}).get(element_id, ""),
                "table_url": (tables or {}).get(element_id, ""),
                "height": reserved_height(data),
                "poster": poster_html(data),
                "json": data,
            }
        )
    return entries


def reserved_height(figure):
    """The height a figure sets itself (tall bar charts do), in whole pixels, or None: the page reserves it before
    the chart draws, so nothing below it moves when it does (layout shift)."""
    height = (figure.get("layout") or {}).get("height")
    return int(height) if isinstance(height, (int, float)) and 0 < height < 100_000 else None
