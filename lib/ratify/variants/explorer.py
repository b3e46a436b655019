"""A multiverse explorer that works in the static site: plain JavaScript over precomputed results.

The robustness page embeds the stored results as JSON (choices of each universe as indices
into each decision's values; estimate, interval and p per key quantity, rounded to 4
significant digits) with a few dozen lines of JavaScript and no library, so the page needs
no server and no network. A reader picks values for any decisions (or "any"), and the
count, the median, the shares with p < .05 and with the paper's sign, and the curve of the
matching universes update.
"""

from __future__ import annotations

import html
import json
import math

import pandas as pd

from .specification import published_sign
from .universes import Multiverse, value_key, value_labels


def _round(x) -> float | None:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return float(f"{float(x):.4g}")


def explorer_data(multiverse: Multiverse, results: pd.DataFrame, published: dict | None = None) -> dict:
    """The explorer's JSON: decisions, key quantities and one entry per computed universe."""
    fields = multiverse.fields()
    decisions = [{"name": d, "help": fields[d].help, "values": [value_key(v) for v in multiverse.vary[d]],
                  "labels": list(value_labels(multiverse.vary[d]).values()),
                  "default": value_key(fields[d].default)} for d in multiverse.decisions]
    per_universe = results.drop_duplicates("universe").set_index("universe").sort_values("index")
    choices = [[d["values"].index(value_key(row[d["name"]])) if value_key(row[d["name"]]) in d["values"] else -1
                for d in decisions] for _, row in per_universe.iterrows()]
    estimates = {}
    for q in multiverse.chapter.key_quantities:
        part = results[(results.quantity == q.id) & (results.status == "ok")].set_index("universe")
        estimates[q.id] = [[_round(part.at[u, c]) for c in ("estimate", "conf_low", "conf_high", "p_value")]
                           if u in part.index else None for u in per_universe.index]
    quantities = [{"id": q.id, "label": q.label, "scale": q.scale, "paper_sign": published_sign(q, published)}
                  for q in multiverse.chapter.key_quantities]
    return {"decisions": decisions, "quantities": quantities, "choices": choices, "estimates": estimates}


SCRIPT = r"""
(function () {
  const root = document.getElementById(%(id)s);
  const data = JSON.parse(root.querySelector("script[type='application/json']").textContent);
  const selects = [...root.querySelectorAll("select[data-decision]")];
  const which = root.querySelector("select.mv-quantity");
  const svg = root.querySelector("svg");
  const NS = "http://www.w3.org/2000/svg";
  const fmt = v => (Math.abs(v) >= 100 || Math.abs(v) < 0.01) ? v.toPrecision(3) : v.toFixed(3);
  const pct = v => Math.round(100 * v) + "%%";
  function el(tag, attrs) {
    const e = document.createElementNS(NS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    svg.appendChild(e);
    return e;
  }
  function update() {
    const q = data.quantities[which.selectedIndex];
    const picked = selects.map(s => s.value === "" ? -1 : Number(s.value));
    const rows = [];
    data.choices.forEach((c, u) => {
      if (picked.every((v, d) => v < 0 || c[d] === v) && data.estimates[q.id][u]) rows.push(data.estimates[q.id][u]);
    });
    rows.sort((a, b) => a[0] - b[0]);
    const log = q.scale === "hr", ref = log ? 1 : 0;
    const t = v => log ? Math.log(v) : v;
    const sig = rows.filter(r => r[3] !== null && r[3] < 0.05).length;
    const same = q.paper_sign === null ? null : rows.filter(r => Math.sign(t(r[0])) === q.paper_sign).length;
    root.querySelector(".mv-count").textContent = rows.length;
    root.querySelector(".mv-median").textContent = rows.length ? fmt(rows[Math.floor((rows.length - 1) / 2)][0] / 2
      + rows[Math.ceil((rows.length - 1) / 2)][0] / 2) : "–";
    root.querySelector(".mv-significant").textContent = rows.length ? pct(sig / rows.length) : "–";
    root.querySelector(".mv-sign").textContent = same === null ? "no published sign"
      : rows.length ? pct(same / rows.length) : "–";
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const W = 640, H = 220, L = 48, R = 8, T = 8, B = 20;
    if (!rows.length) return;
    let lo = Math.min(ref, ...rows.map(r => t(r[1]))), hi = Math.max(ref, ...rows.map(r => t(r[2])));
    if (!(hi > lo)) { lo -= 1; hi += 1; }
    const x = i => L + (W - L - R) * (rows.length === 1 ? 0.5 : i / (rows.length - 1));
    const y = v => T + (H - T - B) * (1 - (t(v) - lo) / (hi - lo));
    el("line", {x1: L, x2: W - R, y1: y(ref), y2: y(ref), stroke: "#000", "stroke-dasharray": "4 3"});
    [lo, hi].forEach(v => { const lab = el("text", {x: L - 4, y: T + (H - T - B) * (1 - (v - lo) / (hi - lo)) + 4,
      "text-anchor": "end", "font-size": 10}); lab.textContent = fmt(log ? Math.exp(v) : v); });
    rows.forEach((r, i) => {
      const color = r[3] !== null && r[3] < 0.05 ? "#0173b2" : "#9a9a9a";
      el("line", {x1: x(i), x2: x(i), y1: y(r[1]), y2: y(r[2]), stroke: color, "stroke-opacity": 0.5});
      el("circle", {cx: x(i), cy: y(r[0]), r: 2, fill: color});
    });
    const cap = el("text", {x: W - R, y: H - 4, "text-anchor": "end", "font-size": 10});
    cap.textContent = rows.length + " universes sorted by estimate" + (log ? " (log scale)" : "");
  }
  selects.concat([which]).forEach(s => s.addEventListener("change", update));
  update();
})();
"""


def explorer_html(data: dict, element_id: str) -> str:
    """The explorer: a form (one select per decision, one for the quantity), a summary line and an
    SVG curve, with the data and the script inline (no server, no CDN)."""
    selects = "".join(
        f'<label style="margin-right:1em" title="{html.escape(d["help"])}">{html.escape(d["name"])} '
        f'<select data-decision="{html.escape(d["name"])}"><option value="">any</option>'
        + "".join(f'<option value="{i}">{html.escape(label)}{" (book)" if v == d["default"] else ""}</option>'
                  for i, (v, label) in enumerate(zip(d["values"], d["labels"], strict=True)))
        + "</select></label>" for d in data["decisions"])
    quantities = "".join(f"<option>{html.escape(q['label'])}</option>" for q in data["quantities"])
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return (f'<div class="mv-explorer" id="{element_id}" style="border:1px solid #ddd;padding:0.8em;margin:1em 0">'
            f'<p style="margin:0 0 0.5em 0"><label>Key quantity <select class="mv-quantity">{quantities}</select>'
            f"</label></p><p style=\"margin:0 0 0.5em 0\">{selects}</p>"
            '<p style="margin:0.5em 0"><strong class="mv-count"></strong> universes match; median estimate '
            '<strong class="mv-median"></strong>; p &lt; .05 in <strong class="mv-significant"></strong>; '
            "the paper's sign in <strong class=\"mv-sign\"></strong>.</p>"
            '<svg viewBox="0 0 640 220" width="100%" style="max-width:640px" role="img" '
            'aria-label="Specification curve of the matching universes"></svg>'
            f'<script type="application/json">{payload}</script>'
            f"<script>{SCRIPT % {'id': json.dumps(element_id)}}</script></div>")
