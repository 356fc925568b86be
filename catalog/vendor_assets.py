"""Third-party browser files fetched from the npm registry at install time, each pinned by version and digest.

plotly.js comes as plotly's own partial bundles (the full bundle is 3.5 MB of chart types the site never
draws); axe-core is for the accessibility checks in the browser tests. The registry is the only network the
install step may use, and Node is not needed: each package is a tarball whose sha512 (npm's ``integrity``)
is pinned here, so a changed or truncated download is refused and nothing half-written is left behind.

    python -m catalog.vendor_assets           # fetch what is missing or differs (make install runs it)
    python -m catalog.vendor_assets --check   # exit 1 if any file is missing or differs

The files land in ``vendor/`` (git-ignored); catalog/staticfinders.py serves the plotly bundles from there.
NPM_REGISTRY names a mirror of the registry; the pinned digests still decide what is accepted.
"""

import argparse
import base64
import hashlib
import io
import os
import sys
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

# Beside manage.py: the checkout's own vendor/ folder.
VENDOR_DIR = Path(__file__).resolve().parent.parent / "vendor"
REGISTRY = os.environ.get("NPM_REGISTRY", "https://registry.npmjs.org").rstrip("/")
# A tarball larger than this is not one of ours (the largest is about 0.6 MB).
MAX_TARBALL_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Asset:
    package: str
    version: str
    integrity: str  # npm's dist.integrity: sha512 of the tarball, base64
    member: str  # the file inside the tarball
    filename: str  # its name under vendor/

    @property
    def url(self):
        return f"{REGISTRY}/{self.package}/-/{self.package}-{self.version}.tgz"

    @property
    def path(self):
        return VENDOR_DIR / self.filename


# Keep the plotly.js version at the one the installed plotly (Python) was built against:
# tests/test_plotly_bundle.py compares them.
PLOTLY_JS_VERSION = "4.1.1"
PLOTLY_BASIC = Asset(
    "plotly.js-basic-dist-min",
    PLOTLY_JS_VERSION,
    "sha512-1oNF8PeQx2hv/y7tqEVWKD3JGwn/MGEMQ8mL9HUwsaqG9FGy/OU5FHUHvzqbqxN4mnwZGI9abTiE775C4kkjMQ==",
    "package/plotly-basic.min.js",
    "plotly-basic.min.js",
)
PLOTLY_CARTESIAN = Asset(
    "plotly.js-cartesian-dist-min",
    PLOTLY_JS_VERSION,
    "sha512-o8GrFeusncwBIxbBynRJpY4pkgVB6caM+JLpwrLYbbsO7dZ8FJ+SVN2Fr+L7kiG/Z6w4P5O0Jus/Qr5EefHVeg==",
    "package/plotly-cartesian.min.js",
    "plotly-cartesian.min.js",
)
AXE_CORE = Asset(
    "axe-core",
    "4.14.1",
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
    "package/axe.min.js",
    "axe.min.js",
)
ASSETS = (PLOTLY_BASIC, PLOTLY_CARTESIAN, AXE_CORE)


class AssetError(Exception):
    pass


def sha512_integrity(data):
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def member_bytes(asset, tarball):
    """The asset's file from a verified tarball."""
    if sha512_integrity(tarball) != asset.integrity:
        raise AssetError(f"{asset.url}: the download does not match the pinned sha512; refusing it")
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        try:
            member = archive.getmember(asset.member)
        except KeyError as error:
            raise AssetError(f"{asset.url} holds no {asset.member}") from error
        if not member.isfile():
            raise AssetError(f"{asset.url}: {asset.member} is not a plain file")
        return archive.extractfile(member).read()


def stamp_path(asset):
    # The tarball's integrity beside the file says which pinned version the file came from.
    return asset.path.with_name(asset.path.name + ".integrity")


def is_current(asset):
    stamp = stamp_path(asset)
    return asset.path.is_file() and stamp.is_file() and stamp.read_text().strip() == asset.integrity


def download(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        data = response.read(MAX_TARBALL_BYTES + 1)
    if len(data) > MAX_TARBALL_BYTES:
        raise AssetError(f"{url} is larger than {MAX_TARBALL_BYTES} bytes; refusing it")
    return data


def write_atomically(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
        handle.write(data)
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, path)


def fetch(asset, *, fetcher=download):
    content = member_bytes(asset, fetcher(asset.url))
    write_atomically(asset.path, content)
    write_atomically(stamp_path(asset), (asset.integrity + "\n").encode())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say whether every file is in place")
    args = parser.parse_args(argv)
    missing = [asset for asset in ASSETS if not is_current(asset)]
    if args.check:
        for asset in missing:
            print(f"missing or out of date: {asset.path} ({asset.package}@{asset.version})", file=sys.stderr)
        return 1 if missing else 0
    for asset in missing:
        print(f"fetching {asset.package}@{asset.version} → vendor/{asset.filename}")
        try:
            fetch(asset)
        except (OSError, AssetError, tarfile.TarError) as error:
            print(f"could not fetch {asset.package}@{asset.version}: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
