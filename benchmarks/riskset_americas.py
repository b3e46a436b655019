"""Time the country-treaty-year risk set: the Americas (COW 20-165, 34 states) x every
MTDSG treaty adopted 1946-2015 with a participant table, censored at 2015.

Usage: python benchmarks/riskset_americas.py   (prints rows, subjects, events, seconds)
"""

import time

from ratify.concord import to_cow
from ratify.panels import state_years
from ratify.risksets import counting_process, event_years, validate
from ratify.sources.untc import read_untc_index, read_untc_participants

t0 = time.perf_counter()
index = read_untc_index()
treaties = index[index.has_participants & index.adoption_date.dt.year.between(1946, 2015)]
parts = read_untc_participants(treaties.mtdsg_no.tolist())
consent = parts[parts.action == "consent"].copy()
consent["ccode"] = to_cow(consent.participant, consent.date.dt.year).ccode.to_numpy()
t1 = time.perf_counter()

states = state_years("cow", 1946, 2015)
americas = states[states.ccode.between(20, 165)]
rows = americas.merge(treaties[["mtdsg_no", "adoption_date"]].assign(adopted=lambda d: d.adoption_date.dt.year),
                      how="cross")
rows = rows[rows.year >= rows.adopted].drop(columns="adoption_date")
events = event_years(consent.dropna(subset=["ccode"]), ["ccode", "mtdsg_no"])
risk = validate(counting_process(rows, ["ccode", "mtdsg_no"], events, origin="adopted", end=2015),
                ["ccode", "mtdsg_no"])
t2 = time.perf_counter()

print(f"states: {americas.ccode.nunique()}, treaties: {len(treaties)}")
print(f"rows: {len(risk):,}, subjects: {risk.groupby(['ccode', 'mtdsg_no']).ngroups:,}, events: {int(risk.event.sum()):,}")
print(f"read + parse + concord: {t1 - t0:.2f} s; risk set build + validate: {t2 - t1:.2f} s")
