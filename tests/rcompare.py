"""Run an R script on frames written as CSV and read back the numbers it prints as CSV."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd

R_WRITE = """
emit <- function(name, est, se) {
  out <- data.frame(model = name, term = names(est), estimate = sprintf("%.17g", est),
                    std_error = sprintf("%.17g", se))
  write.table(out, file = OUT, sep = ",", row.names = FALSE, col.names = !file.exists(OUT), append = file.exists(OUT))
}
"""


def run_r(rscript: str, body: str, frames: dict[str, pd.DataFrame], tmp: Path) -> pd.DataFrame:
    """Write each frame to ``<name>.csv`` in ``tmp``, run ``body`` (which calls ``emit``), return its rows."""
    for name, frame in frames.items():
        frame.to_csv(tmp / f"{name}.csv", index=False)
    out = tmp / "r-out.csv"
    script = tmp / "check.R"
    script.write_text(f'setwd("{tmp}")\nOUT <- "{out}"\n' + R_WRITE + body, encoding="utf-8")
    run = subprocess.run([rscript, "--vanilla", str(script)], capture_output=True, text=True)
    assert run.returncode == 0, f"R failed:\n{run.stderr[-3000:]}"
    return pd.read_csv(out)
