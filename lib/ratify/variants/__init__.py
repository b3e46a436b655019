"""Rerun a chapter's analysis notebook with other parameters: single runs, sweeps, robustness pages.

- :mod:`.schema`: ``variants.yaml`` (parameters, key quantities, variants) and checks that
  run before any kernel starts;
- :mod:`.runner`: jupytext + papermill execution, parallel sweeps, stored results;
- :mod:`.collect`: the key quantities of each variant, one table;
- :mod:`.stamp`: whether stored results still match the notebook, parameters, data and library;
- :mod:`.page`: the chapter's robustness page.
"""

from .schema import Chapter, ParameterError, VariantsFileError, check_defaults, load, parameters_cell

# The runner (papermill) and the page (matplotlib) load on first use, so `ratify variants --list`
# and the schema checks stay quick.
_LAZY = {"columns": ("collect", "columns"), "execute": ("runner", "execute"), "run_variant": ("runner", "run_variant"),
         "store": ("runner", "store"), "stored": ("runner", "stored"), "sweep": ("runner", "sweep"),
         "staleness": ("stamp", "staleness"), "show_robustness": ("page", "show"), "write_page": ("page", "write_page")}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Chapter", "ParameterError", "VariantsFileError", "check_defaults", "load", "parameters_cell", *_LAZY]
