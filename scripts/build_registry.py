"""Regenerate data/sources.toml from the shared data manifest.

Usage: python scripts/build_registry.py [MANIFEST.tsv] [OUTPUT.toml]
Defaults: ../shared/data/MANIFEST.tsv and data/sources.toml.
"""

import sys
from pathlib import Path

from ratify.data.manifest import registry_toml

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    manifest = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "MANIFEST.tsv"
    output = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "data" / "sources.toml"
    text = registry_toml(manifest)
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output} ({text.count('[[')} files) from {manifest}")
