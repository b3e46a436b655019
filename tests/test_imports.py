"""Every module imports on its own in a fresh interpreter: no import cycles hidden by test order."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import ratify

MODULES = sorted(m.name for m in pkgutil.walk_packages(ratify.__path__, "ratify."))


def test_every_module_imports_first():
    failures = []
    for name in MODULES:
        proc = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True, text=True)
        if proc.returncode:
            failures.append(f"{name}: {proc.stderr.strip().splitlines()[-1]}")
    assert failures == [], failures
