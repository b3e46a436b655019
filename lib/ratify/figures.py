"""Figures for the book, in one theme: survival curves, forest plots, cumulative
ratification, a world map and specification curves.

Every helper takes tidy frames from ``ratify.models`` or the panels and returns the
matplotlib ``Axes`` (or ``Figure``), so a chapter can add a title or save it.
The world map reads Natural Earth low-resolution shapes shipped inside the pyogrio
wheel: nothing is downloaded when the book builds.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.collections import PatchCollection
from matplotlib.patches import Polygon

PALETTE = "colorblind"


def set_theme() -> None:
    """The book's one look: seaborn whitegrid, colour-blind palette, readable sizes."""
    sns.set_theme(style="whitegrid", palette=PALETTE, context="notebook",
                  rc={"figure.figsize": (7.5, 4.2), "figure.dpi": 110, "axes.titleweight": "bold",
                      "axes.spines.right": False, "axes.spines.top": False})


def km_plot(fitters: dict, *, ax=None, at_risk: bool = True, xlabel: str = "Years", ylabel: str = "Not yet bound"):
    """Kaplan–Meier curves (``ratify.models.kaplan_meier``) with 95% bands and numbers at risk."""
    from lifelines.plotting import add_at_risk_counts

    ax = ax or plt.subplots()[1]
    for f in fitters.values():
        f.plot_survival_function(ax=ax, ci_show=True) if hasattr(f, "plot_survival_function") \
            else f.plot_cumulative_hazard(ax=ax, ci_show=True)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if at_risk:
        add_at_risk_counts(*fitters.values(), ax=ax, rows_to_show=["At risk"])
    return ax


def forest_plot(terms: pd.DataFrame, *, exponentiate: bool = False, ax=None, labels: dict | None = None):
    """Point estimates with 95% CIs, one row per term (a ``ModelResult.terms`` frame, or several with ``model``)."""
    ax = ax or plt.subplots(figsize=(6.5, 0.45 * len(terms) + 1.2))[1]
    est, lo, hi = (("exp_estimate", "exp_conf_low", "exp_conf_high") if exponentiate
                   else ("estimate", "conf_low", "conf_high"))
    d = terms.assign(label=terms.term.map(lambda t: (labels or {}).get(t, t)))
    models = d.model.unique() if "model" in d else [None]
    offsets = np.linspace(-0.2, 0.2, len(models)) if len(models) > 1 else [0.0]
    ypos = {t: i for i, t in enumerate(dict.fromkeys(d.label))}
    for off, m, color in zip(offsets, models, sns.color_palette(PALETTE), strict=False):
        part = d if m is None else d[d.model == m]
        y = part.label.map(ypos) + off
        ax.errorbar(part[est], y, xerr=[part[est] - part[lo], part[hi] - part[est]], fmt="o", color=color,
                    capsize=3, label=m)
    ax.axvline(1.0 if exponentiate else 0.0, color="grey", lw=1, ls="--")
    if exponentiate:
        ax.set_xscale("log")  # ratios: 0.5 and 2 are equally far from 1
    ax.set_yticks(list(ypos.values()), list(ypos.keys()))
    ax.invert_yaxis()
    ax.set_xlabel("Hazard ratio (95% CI)" if exponentiate else "Estimate (95% CI)")
    if len(models) > 1:
        ax.legend(frameon=False)
    return ax


def cumulative_ratification(consents: pd.DataFrame, *, by: str | None = None, clock: str = "calendar",
                            adoption: pd.Series | None = None, ax=None):
    """Number of states bound over calendar time, or over years since adoption (``adoption`` by treaty)."""
    if clock not in ("calendar", "adoption"):
        raise ValueError(f"clock={clock!r}; use 'calendar' or 'adoption'")
    ax = ax or plt.subplots()[1]
    d = consents.dropna(subset=["date"]).copy()
    if clock == "adoption":
        if adoption is None:
            raise ValueError("clock='adoption' needs adoption= (adoption date per treaty id)")
        d["t"] = (d.date - d[by].map(adoption)).dt.days / 365.25
    else:
        d["t"] = d.date
    for name, part in (d.groupby(by) if by else [("all", d)]):
        first = part.sort_values("t").drop_duplicates("participant")
        ax.step(first.t, np.arange(1, len(first) + 1), where="post", label=str(name))
    ax.set(xlabel="Year" if clock == "calendar" else "Years since adoption", ylabel="States bound")
    if by:
        ax.legend(frameon=False, fontsize="small")
    return ax


@lru_cache(maxsize=1)
def world_shapes() -> pd.DataFrame:
    """Natural Earth 1:110m countries (from the pyogrio wheel) with ISO3 codes repaired."""
    import country_converter as coco
    import pyogrio
    import shapely

    shp = Path(pyogrio.__file__).parent / "tests/fixtures/naturalearth_lowres/naturalearth_lowres.shp"
    meta, _, wkb, fields = pyogrio.raw.read(shp)
    df = pd.DataFrame(dict(zip(meta["fields"], fields, strict=True)))
    df["geometry"] = shapely.from_wkb(wkb)
    bad = df.iso_a3 == "-99"  # France, Norway, Kosovo, N. Cyprus, Somaliland in this vintage
    df.loc[bad, "iso_a3"] = coco.convert(df.loc[bad, "name"].tolist(), to="ISO3", not_found="-99")
    return df


def world_map(values: pd.DataFrame, column: str, *, iso3: str = "iso3c", ax=None, cmap: str = "viridis",
              categorical: bool = False, missing_color: str = "#e0e0e0", legend_title: str | None = None):
    """Choropleth of ``column`` by ISO3 code; countries without a value are grey and counted in the title."""
    import shapely

    world = world_shapes().merge(values[[iso3, column]], left_on="iso_a3", right_on=iso3, how="left")
    ax = ax or plt.subplots(figsize=(9, 4.6))[1]
    if categorical:
        cats = sorted(world[column].dropna().unique())
        colors = dict(zip(cats, sns.color_palette(PALETTE, len(cats)), strict=False))
    else:
        v = world[column].astype(float)
        norm = plt.Normalize(np.nanmin(v), np.nanmax(v))
        cm = plt.get_cmap(cmap)
    patches, facecolors = [], []
    for geom, val in zip(world.geometry, world[column], strict=True):
        polys = geom.geoms if isinstance(geom, shapely.MultiPolygon) else [geom]
        color = missing_color if pd.isna(val) else (colors[val] if categorical else cm(norm(val)))
        for poly in polys:
            patches.append(Polygon(np.asarray(poly.exterior.coords), closed=True))
            facecolors.append(color)
    ax.add_collection(PatchCollection(patches, facecolor=facecolors, edgecolor="white", linewidth=0.3))
    ax.set(xlim=(-180, 180), ylim=(-58, 85), aspect="equal")
    ax.axis("off")
    if categorical:
        from matplotlib.patches import Patch
        ax.legend([Patch(color=c) for c in colors.values()], list(colors), frameon=False, loc="lower left",
                  title=legend_title, fontsize="small")
    else:
        sm = plt.cm.ScalarMappable(norm=norm, cmap=cm)
        plt.colorbar(sm, ax=ax, shrink=0.6, label=legend_title or column)
    ax.set_title(f"{int(world[column].isna().sum())} of {len(world)} mapped countries have no value",
                 fontsize="small", loc="right", color="grey")
    return ax


def spec_curve(variants: pd.DataFrame, *, estimate: str = "estimate", low: str = "conf_low", high: str = "conf_high",
               label: str = "variant", reference: float = 0.0, ax=None):
    """Specification curve: each variant's estimate and CI, sorted, with the null line."""
    d = variants.sort_values(estimate).reset_index(drop=True)
    ax = ax or plt.subplots(figsize=(7.5, 0.35 * len(d) + 1.5))[1]
    significant = (d[low] > reference) | (d[high] < reference)
    highlight = sns.color_palette(PALETTE).as_hex()[0]
    colors = np.where(significant, highlight, "grey")
    for i, row in d.iterrows():
        ax.plot([row[low], row[high]], [i, i], color=colors[i], lw=2)
    ax.scatter(d[estimate], d.index, color=colors, zorder=3)
    ax.axvline(reference, color="black", lw=1, ls="--")
    ax.set_yticks(d.index, d[label])
    ax.set_xlabel("Estimate (95% CI); coloured = CI excludes the reference")
    return ax


def multiverse_curve(curve: pd.DataFrame, decisions: dict[str, list], *, reference: float = 0.0, log: bool = False,
                     default: dict | None = None, title: str = "", ylabel: str = "Estimate (95% CI)"):
    """Specification curve of a multiverse (Simonsohn et al. 2020): the universes' estimates sorted,
    with 95% intervals (coloured where p < .05), above a panel marking which value of each decision
    every universe took. ``curve`` comes from ``ratify.variants.specification.curve``; ``decisions``
    maps each decision to its values in the order to list them; ``default`` marks the book's universe.
    """
    rows = [(d, v) for d, values in decisions.items() for v in values]
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(8, 3.2 + 0.19 * len(rows)),
                                      gridspec_kw={"height_ratios": [3.2, 0.19 * len(rows) + 0.4]})
    highlight = sns.color_palette(PALETTE).as_hex()[0]
    colors = np.where(curve.significant, highlight, "#9a9a9a")
    top.vlines(curve["rank"], curve.conf_low, curve.conf_high, colors=colors, lw=0.8, alpha=0.6)
    top.scatter(curve["rank"], curve.estimate, c=colors, s=6, zorder=3)
    top.axhline(reference, color="black", lw=0.8, ls="--")
    if log:
        top.set_yscale("log")
    top.set(ylabel=ylabel, title=title)
    if default:
        mine = curve[np.logical_and.reduce([curve[k].astype(str) == str(v) for k, v in default.items()])]
        top.scatter(mine["rank"], mine.estimate, s=60, facecolors="none", edgecolors="black", zorder=4,
                    label="the book's choices")
        if len(mine):
            top.legend(frameon=False, fontsize="small", loc="upper left")
    for y, (d, v) in enumerate(rows):
        chosen = curve[curve[d].astype(str) == str(v)]
        bottom.scatter(chosen["rank"], np.full(len(chosen), y), marker="|", s=30, color="#333333", lw=0.8)
    bottom.set_yticks(range(len(rows)), [f"{d}: {v}" for d, v in rows], fontsize="x-small")
    bottom.set_ylim(len(rows) - 0.5, -0.5)
    bottom.set_xlabel(f"Universes, sorted by estimate ({len(curve)}); coloured: p < .05")
    bottom.grid(False)
    fig.tight_layout()
    return fig
