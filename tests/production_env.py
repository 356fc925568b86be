"""The environment of a production server, for tests that start one in a fresh process."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k8Jd-2pQz_x7Lw9Vn4Rb6Tc1Ym3Hs5Fg0Ua8Ei2Oo7Pl4Kj9Qw1Ez6Xr3Ct5Vb8Nm0",
    "DJANGO_ALLOWED_HOSTS": "landscape.example.org",
    "DJANGO_TRUSTED_PROXY_COUNT": "1",
}


def python(*args, env):
    """A fresh interpreter with exactly this environment (and PATH): a server process of its own."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "landscape.settings", **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
