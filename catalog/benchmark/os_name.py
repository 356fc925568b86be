"""What a stored run may say about its host's operating system: system and architecture, nothing more.

No NumPy here: the Django side shows stored runs through it without loading the benchmark's machinery.
"""

import re

ARCHITECTURES = re.compile(r"\b(x86_64|amd64|aarch64|arm64|armv7l|i686|ppc64le|s390x|riscv64)\b", re.IGNORECASE)


def public_os(text):
    """The operating system and architecture ("Linux x86_64"), without the kernel build or distribution.

    A published run should explain its figures, not fingerprint its host: ``platform.platform()`` (what
    older runs stored) names the exact kernel release, which says which security fixes the host lacks.
    """
    text = str(text or "").strip()
    if not text:
        return ""
    system = re.split(r"[-\s]", text, maxsplit=1)[0]
    # The architecture is the last one named: "Linux-6.1.0-28-amd64-x86_64-with-glibc2.36" is x86_64.
    architectures = ARCHITECTURES.findall(text)
    return f"{system} {architectures[-1]}" if architectures else system
