"""Rerun a chapter's analysis notebook with other parameters: single runs, sweeps, robustness pages.

- :mod:`.schema`: ``variants.yaml`` (parameters, key quantities, variants) and checks that
  run before any kernel starts;
- :mod:`.runner`: jupytext + papermill execution in worker processes, output folders, sweeps;
- :mod:`.collect`: the key quantities of each variant, one table;
- :mod:`.stamp`: the hashes of what a sweep reads (notebook, parameters, data, library);
- :mod:`.stored`: the stored table and its stamp, written together and checked against each other;
- :mod:`.page`: the chapter's robustness page.
"""

from .schema import Chapter, ParameterError, VariantsFileError, check_defaults, load, parameters_cell

# The page (matplotlib, papermill via the runner) loads on first use, so `ratify variants --list`
# and the schema checks stay quick; other code imports the submodules directly.
_LAZY = {"show_robustness": ("page", "show")}  # what the robustness pages call


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Chapter", "ParameterError", "VariantsFileError", "check_defaults", "load", "parameters_cell", *_LAZY]
