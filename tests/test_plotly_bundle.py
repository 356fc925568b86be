"""The plotly.js the pages load: fetched pinned, served hashed, the smallest bundle that draws each page's traces."""

import hashlib
import io
import json
import re
import tarfile

import pytest
from django.contrib.staticfiles import finders
from django.template import Context, Template
from plotly.offline import get_plotlyjs_version

from catalog import plotly_bundles, vendor_assets
from catalog.benchmarking.store import record_run
from catalog.staticfinders import PlotlyFinder
from tests.benchmark_reports import benchmark_report
from tests.chart_urls import CHART_PAGES

# A page's bundle and the figures it hands to charts.js.
BUNDLE_ATTRIBUTE = re.compile(r'data-plotly="/static/(vendor/[^"]+)"')
FIGURE_DATA = re.compile(r'<script id="([^"]+)-data" type="application/json">(.*?)</script>', re.S)


def registered_traces(path):
    """The trace types a plotly.js bundle registers, read from the minified file itself."""
    text = path.read_text(encoding="utf-8")
    return set(re.findall(r'moduleType:"trace",name:"(\w+)"', text))


@pytest.mark.parametrize(("static_path", "declared"), plotly_bundles.BUNDLES)
def test_each_bundle_holds_exactly_the_trace_types_declared_for_it(static_path, declared):
    path = finders.find(static_path)
    assert path, f"{static_path} is not served: run make install"
    assert registered_traces(vendor_assets.VENDOR_DIR / static_path.removeprefix("vendor/")) == declared


@pytest.mark.parametrize("asset", [vendor_assets.PLOTLY_BASIC, vendor_assets.PLOTLY_CARTESIAN])
def test_bundles_are_the_pinned_plotly_js_of_the_installed_plotly_major_version(asset):
    head = asset.path.read_text(encoding="utf-8")[:200]
    assert f"v{vendor_assets.PLOTLY_JS_VERSION}" in head
    # plotly (Python) writes figure JSON for its own plotly.js; a new major version may rename attributes.
    assert get_plotlyjs_version().split(".")[0] == vendor_assets.PLOTLY_JS_VERSION.split(".")[0]


def test_only_the_plotly_bundles_are_served_from_vendor():
    assert finders.find("vendor/plotly-basic.min.js")
    assert finders.find("vendor/axe.min.js") is None  # the tests' file stays out of static
    assert finders.find("vendor/../vendor/plotly-basic.min.js") is None
    assert finders.find("vendor/plotly.min.js") is None  # the full bundle is gone


def test_a_missing_bundle_is_a_system_check_error_naming_the_fix(monkeypatch, tmp_path):
    monkeypatch.setattr(vendor_assets, "VENDOR_DIR", tmp_path)
    missing = vendor_assets.Asset("plotly.js-basic-dist-min", "4.1.1", "sha512-x", "package/x.js", "x.js")
    monkeypatch.setattr("catalog.staticfinders.SERVED", {"x.js": missing})
    monkeypatch.setattr(vendor_assets.Asset, "path", property(lambda asset: tmp_path / asset.filename))
    errors = PlotlyFinder().check()
    assert [error.id for error in errors] == ["catalog.E001"] and "make install" in errors[0].hint
    assert PlotlyFinder().find("vendor/x.js") == []


def test_the_smallest_bundle_that_draws_every_trace_is_chosen():
    scatter, bar, box = ({"data": [{"type": kind}]} for kind in ("scatter", "bar", "box"))
    assert plotly_bundles.bundle_for([]) is None
    assert plotly_bundles.bundle_for([{"data": [{}]}, bar]) == "vendor/plotly-basic.min.js"  # untyped: scatter
    assert plotly_bundles.bundle_for([scatter, box]) == "vendor/plotly-cartesian.min.js"
    with pytest.raises(plotly_bundles.UnsupportedTrace, match="scatter3d"):
        plotly_bundles.bundle_for([scatter, {"data": [{"type": "scatter3d"}]}])


def test_a_page_whose_figure_no_bundle_draws_fails_to_render():
    template = Template("{% load catalog_tags %}{% chart_scripts figures %}")
    figures = [{"id": "f", "data_id": "f-data", "json": {"data": [{"type": "sankey"}]}}]
    with pytest.raises(plotly_bundles.UnsupportedTrace):
        template.render(Context({"figures": figures}))
    assert template.render(Context({"figures": []})) == ""


def test_the_shared_template_file_is_the_installed_plotly_white():
    path = finders.find("catalog/plotly_template.js")
    with open(path, encoding="utf-8") as handle:
        assert handle.read() == plotly_bundles.template_script(), "run python -m catalog.plotly_bundles"
    shared = plotly_bundles.shared_template()
    assert shared["layout"]["plot_bgcolor"] == "white" and set(shared["data"]) <= plotly_bundles.BUNDLES[-1][1]


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
def test_every_page_that_draws_loads_a_bundle_holding_its_trace_types_and_no_template(client):
    run = record_run(report=benchmark_report(), command="python manage.py run_benchmark --quick")
    covered = {path: traces for path, traces in plotly_bundles.BUNDLES}
    used = set()
    for url in [*CHART_PAGES, "/benchmarks/", f"/benchmarks/{run.pk}/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        figures = {element_id: json.loads(data) for element_id, data in FIGURE_DATA.findall(html)}
        bundles = BUNDLE_ATTRIBUTE.findall(html)
        assert figures and len(bundles) == 1, f"{url}: {len(figures)} figures, bundles {bundles}"
        traces = plotly_bundles.trace_types(figures.values())
        assert traces <= covered[bundles[0]], f"{url} draws {traces - covered[bundles[0]]} its bundle lacks"
        for element_id, figure in figures.items():
            assert "template" not in figure.get("layout", {}), f"{url}: {element_id} repeats the template"
        used |= traces
    # The benchmark page's box plots are why the cartesian bundle is here at all.
    assert "box" in used and {"scatter", "bar"} <= used


@pytest.mark.django_db
def test_pages_that_draw_nothing_load_no_chart_script(client):
    for url in ["/compare/", "/benchmarks/", "/models/", "/estimate/"]:
        html = client.get(url).content.decode()
        assert "data-plotly" not in html and "charts.js" not in html, url


# ------------------------------------------------------------------------------------------------ the fetch


def tarball(members):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def vendor_dir(monkeypatch, tmp_path):
    monkeypatch.setattr(vendor_assets, "VENDOR_DIR", tmp_path)
    monkeypatch.setattr(vendor_assets.Asset, "path", property(lambda asset: tmp_path / asset.filename))
    return tmp_path


def test_a_fetched_tarball_matching_its_pinned_digest_is_unpacked(vendor_dir):
    data = tarball({"package/lib.min.js": b"ok()", "package/README.md": b"readme"})
    asset = vendor_assets.Asset("lib", "1.0.0", vendor_assets.sha512_integrity(data), "package/lib.min.js", "lib.js")
    assert not vendor_assets.is_current(asset)
    vendor_assets.fetch(asset, fetcher=lambda url: data)
    assert (vendor_dir / "lib.js").read_bytes() == b"ok()" and vendor_assets.is_current(asset)
    assert sorted(path.name for path in vendor_dir.iterdir()) == ["lib.js", "lib.js.integrity"]


def test_a_tampered_tarball_is_refused_and_the_file_in_place_kept(vendor_dir):
    good = tarball({"package/lib.min.js": b"ok()"})
    asset = vendor_assets.Asset("lib", "1.0.0", vendor_assets.sha512_integrity(good), "package/lib.min.js", "lib.js")
    vendor_assets.fetch(asset, fetcher=lambda url: good)
    evil = tarball({"package/lib.min.js": b"steal()"})
    with pytest.raises(vendor_assets.AssetError, match="does not match the pinned sha512"):
        vendor_assets.fetch(asset, fetcher=lambda url: evil)
    assert (vendor_dir / "lib.js").read_bytes() == b"ok()"


def test_a_tarball_without_the_file_or_with_a_link_in_its_place_is_refused(vendor_dir):
    for members in ({"package/other.js": b"x"}, {}):
        data = tarball(members)
        asset = vendor_assets.Asset("lib", "1", vendor_assets.sha512_integrity(data), "package/lib.min.js", "lib.js")
        with pytest.raises(vendor_assets.AssetError, match=r"holds no package/lib\.min\.js"):
            vendor_assets.fetch(asset, fetcher=lambda url, data=data: data)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        link = tarfile.TarInfo("package/lib.min.js")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(link)
    data = buffer.getvalue()
    asset = vendor_assets.Asset("lib", "1", vendor_assets.sha512_integrity(data), "package/lib.min.js", "lib.js")
    with pytest.raises(vendor_assets.AssetError, match="not a plain file"):
        vendor_assets.fetch(asset, fetcher=lambda url: data)
    assert list(vendor_dir.iterdir()) == []


def test_the_pinned_digests_are_sha512_and_the_files_in_place_match_them():
    for asset in vendor_assets.ASSETS:
        assert asset.integrity.startswith("sha512-") and len(asset.integrity) == 95
        assert vendor_assets.is_current(asset), f"{asset.path}: run make install"
    assert vendor_assets.main(["--check"]) == 0
    assert hashlib.sha512(vendor_assets.AXE_CORE.path.read_bytes()).digest()  # readable, not a pointer


@pytest.mark.django_db
@pytest.mark.usefixtures("bundled")
def test_a_chart_taller_than_the_default_has_its_height_reserved_before_it_draws(client):
    html = client.get("/charts/vendors/").content.decode()
    height = json.loads(FIGURE_DATA.search(html).group(2))["layout"]["height"]
    assert (
        f'<div id="vendors" class="plot" data-figure="vendors-data" data-poster style="min-height: {height}px">' in html
    )
    assert f"--poster-height:{height}px;" in html  # the poster shown until plotly draws is as tall
    html = client.get("/charts/moores-law/").content.decode()  # plotly's default height: the stylesheet's box
    assert '<div id="moores-law" class="plot" data-figure="moores-law-data" data-poster><div class="poster"' in html
    assert "--poster-height" not in html
