"""Diffusion shares: peers bound by the end of last year, the country itself left out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ratify.diffusion import bound_share

PANEL = pd.DataFrame({
    "ccode": [1, 2, 3, 4] * 3,
    "year": [2000] * 4 + [2001] * 4 + [2002] * 4,
    "region": ["R", "R", "R", "S"] * 3,
})
EVENTS = pd.DataFrame({"ccode": [1, 2], "event_year": [2000, 2001]})


def shares(out, year):
    return out[out.year == year].set_index("ccode").share_bound.round(4).to_dict()


def test_regional_share_is_lagged_and_leaves_self_out():
    out = bound_share(PANEL, EVENTS, group="region")
    assert np.isnan(list(shares(out, 2000).values())).all()  # no 1999 in the panel
    assert shares(out, 2001) == {1: 0.0, 2: 0.5, 3: 0.5, 4: pytest.approx(np.nan, nan_ok=True)}
    assert shares(out, 2002) == {1: 0.5, 2: 0.5, 3: 1.0, 4: pytest.approx(np.nan, nan_ok=True)}


def test_global_share_and_including_self():
    glob = bound_share(PANEL, EVENTS)
    assert shares(glob, 2001) == {1: 0.0, 2: round(1 / 3, 4), 3: round(1 / 3, 4), 4: round(1 / 3, 4)}
    with_self = bound_share(PANEL, EVENTS, exclude_self=False)
    assert set(shares(with_self, 2001).values()) == {0.25}


def test_unknown_group_column_is_named():
    with pytest.raises(ValueError, match="add_region"):
        bound_share(PANEL, EVENTS, group="subregion")
