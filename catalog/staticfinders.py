"""Serve the plotly.js partial bundles that ``make install`` fetched into vendor/ (catalog/vendor_assets.py).

Only the plotly bundles are exposed, as ``vendor/<file>`` (axe-core, also in vendor/, is for the tests).
collectstatic copies them like any static file, and whitenoise serves them hashed with long cache headers.
A missing bundle is a system check error that says how to fetch it, not a page without charts.
"""

from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

from catalog.vendor_assets import PLOTLY_BASIC, PLOTLY_CARTESIAN, VENDOR_DIR

PREFIX = "vendor"
SERVED = {asset.filename: asset for asset in (PLOTLY_BASIC, PLOTLY_CARTESIAN)}


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=VENDOR_DIR)
        self.storage.prefix = PREFIX

    def check(self, **kwargs):
        return [
            Error(
                f"{asset.path} is missing: the charts cannot draw without it.",
                hint="Run `make install` (or `python -m catalog.vendor_assets`) to fetch it from the npm registry.",
                id="catalog.E001",
            )
            for asset in SERVED.values()
            if not asset.path.is_file()
        ]

    def find(self, path, find_all=False, **kwargs):
        directory, _, name = path.rpartition("/")
        asset = SERVED.get(name) if directory == PREFIX else None
        if asset is None or not asset.path.is_file():
            return []  # as Django's own finders answer: finders.find() then says None, not [None]
        return [str(asset.path)] if find_all or kwargs.get("all") else str(asset.path)

    def list(self, ignore_patterns):
        for name, asset in SERVED.items():
            if asset.path.is_file():
                yield name, self.storage
