"""Regenerate requirements.txt (exact versions + hashes) from pyproject.toml. Run it as `make lock`.

Usage: python scripts/lock.py UV
UV is the uv executable (the Makefile installs a pinned uv in .venv-lock/). The resolution is
universal (valid on Linux, macOS and Windows) for Python 3.11, preferring as few versions of a
package as possible; the result is stamped with the SHA-256 of pyproject's dependency lists, which
tests/test_environment.py compares with pyproject.toml.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))  # runs before any environment exists: ratify.lockfile needs only the stdlib

from ratify.lockfile import LOCKFILE, PYPROJECT, declared, declared_digest, stamped  # noqa: E402

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/lock.py UV   (use `make lock`)")
    extras = sorted(declared()["optional-dependencies"])
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "requirements.txt"
        cmd = [sys.argv[1], "pip", "compile", str(PYPROJECT.relative_to(ROOT)), "--generate-hashes",
               "--universal", "--python-version", "3.11", "--fork-strategy", "fewest",
               "--no-header", "--quiet", "-o", str(out), *[f"--extra={e}" for e in extras]]
        subprocess.run(cmd, check=True, cwd=ROOT)
        LOCKFILE.write_text(stamped(out.read_text(), declared_digest()))
    pinned = sum(1 for line in LOCKFILE.read_text().splitlines() if "==" in line and not line.startswith("#"))
    print(f"wrote {LOCKFILE.name}: {pinned} pinned packages with hashes, from {PYPROJECT.name} "
          f"(extras: {', '.join(extras) or 'none'})")
