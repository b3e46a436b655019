"""The model frame helpers of ratify.models.frames (tiny hand-made panels)."""

from __future__ import annotations

import pandas as pd
import pytest

from ratify.models import unit_trends


def test_unit_trends_one_centred_trend_per_unit_but_the_first_and_short_ones():
    frame = pd.DataFrame({"ccode": [2] * 3 + [20] * 3 + [40] * 2, "year": [2000, 2001, 2002] * 2 + [2000, 2001],
                          "y": range(8)})
    frame.attrs["merges"] = ["kept"]
    out, names = unit_trends(frame)
    assert names == ["trend_20"]  # 2 is the first unit (left out), 40 has two years (< 3)
    mean = frame.year.mean()
    assert out.loc[out.ccode == 20, "trend_20"].tolist() == pytest.approx([y - mean for y in (2000, 2001, 2002)])
    assert (out.loc[out.ccode != 20, "trend_20"] == 0).all()
    assert out.attrs["merges"] == ["kept"] and list(out.columns[:3]) == ["ccode", "year", "y"]
    _, all_long = unit_trends(frame, min_periods=2)
    assert all_long == ["trend_20", "trend_40"]
