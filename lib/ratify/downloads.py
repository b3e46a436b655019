"""Put a model's results and data next to the page that shows them, as download links.

A chapter calls ``publish(result, frame)``; the files land in ``results/`` beside the
notebook (git-ignored, rebuilt with the book) and the returned MyST markdown uses the
``{download}`` role, so Sphinx copies them into the built site and links them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from IPython.display import Markdown

from .models.results import ModelResult


def publish(result: ModelResult, frame: pd.DataFrame | None = None, folder: Path | str = "results") -> Markdown:
    """Save ``result`` (CSV + JSON) and its model frame (CSV); return the download links."""
    paths = result.save(folder, frame=frame)
    names = {"csv": "estimates (CSV)", "json": "full result (JSON)", "data": "model data (CSV)"}
    links = " · ".join(f"{{download}}`{names[k]} <{Path(folder) / p.name}>`" for k, p in paths.items())
    return Markdown(f"**Download {result.label}:** {links}")
