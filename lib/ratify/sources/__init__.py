"""Readers: one function per registered source, returning a tidy, typed frame.

Every frame carries its provenance in ``df.attrs`` (source id, file, SHA-256,
citation) so a table built from it can say where its numbers came from.
"""

from .regimes import read_polity5
from .states import read_cow_states, read_gw_states

__all__ = ["read_cow_states", "read_gw_states", "read_polity5"]
