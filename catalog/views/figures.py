from catalog import charts


def figure_context(figures):
    """Each figure's element id, the id of its JSON data element, and the figure as JSON-ready data (``figures``
    holds plotly figures, or their data already: catalog/cache/figures.py keeps figures as data)."""
    return [
        {
            "id": element_id,
            "data_id": f"{element_id}-data",
            "json": figure if isinstance(figure, dict) else charts.figure_json(figure),
        }
        for element_id, figure in figures.items()
    ]
