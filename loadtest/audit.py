"""Known vulnerabilities in the dependencies: pip-audit over requirements.txt and requirements-dev.txt.

pip-audit resolves the requirement files (in a temporary virtualenv) and asks PyPI's vulnerability data
about every resolved package, so it needs the network. Exit status: 0 when no known vulnerability and
every package was checked, 1 when there are vulnerabilities (or packages it could not check), 2 when the
audit could not be made (PyPI unreachable, pip-audit missing or failing): never a silent "0 found".

    .venv/bin/python loadtest/audit.py
    .venv/bin/python loadtest/audit.py -r requirements-loadtest.txt   # more requirement files
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from common import BIN, ROOT

DEFAULT_FILES = ["requirements.txt", "requirements-dev.txt"]


def main():
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-r", dest="extra", action="append", default=[], help="another requirements file")
    parser.add_argument("--timeout", type=int, default=30, help="pip-audit's socket timeout, seconds")
    args = parser.parse_args()
    pip_audit = BIN / "pip-audit"
    if not pip_audit.exists():
        print(f"error: {pip_audit} is missing: .venv/bin/pip install -r requirements-loadtest.txt", file=sys.stderr)
        return 2
    files = [*DEFAULT_FILES, *args.extra]
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "audit.json"
        command = [str(pip_audit), "--progress-spinner", "off", "--timeout", str(args.timeout), "--desc", "off"]
        command += ["--format", "json", "--output", str(report)]
        for name in files:
            command += ["-r", name]
        print("$ pip-audit " + " ".join(f"-r {name}" for name in files))
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        try:
            audit = json.loads(report.read_text())
        except (OSError, ValueError):
            audit = None
    if audit is None:
        # No report means the audit did not run to the end: most often PyPI could not be reached.
        print("error: the audit could not be made (is PyPI reachable?); vulnerabilities unknown.", file=sys.stderr)
        print(f"pip-audit exited {result.returncode}; its output ends:", file=sys.stderr)
        print("\n".join((result.stderr or result.stdout).strip().splitlines()[-15:]), file=sys.stderr)
        return 2

    dependencies = audit.get("dependencies", [])
    vulnerable = [dep for dep in dependencies if dep.get("vulns")]
    skipped = [dep for dep in dependencies if dep.get("skip_reason")]
    print(f"packages audited   {len(dependencies) - len(skipped)}")
    print(f"vulnerable         {len(vulnerable)} packages, {sum(len(dep['vulns']) for dep in vulnerable)} advisories")
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version"
            print(f"  {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})")
    print(f"not checked        {len(skipped)}")
    for dep in skipped:
        print(f"  {dep['name']}: {dep['skip_reason']}")
    if vulnerable:
        return 1
    if skipped:
        # The index answered but held no vulnerability data for these: unknown, not clean.
        print(f"error: {len(skipped)} packages could not be audited: vulnerabilities unknown.", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
