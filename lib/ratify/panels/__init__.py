"""Canonical panels: country-years keyed on (ccode, year), built by small verbs."""

from .stateyears import state_years

__all__ = ["state_years"]
