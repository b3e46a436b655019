"""Time the country-treaty-year risk set: the Americas (COW 20-165, 34 states) x every
MTDSG treaty adopted 1946-2015 with a participant table, censored at 2015.

Usage: python benchmarks/riskset_americas.py   (prints rows, subjects, events, seconds)
"""

import time

from ratify.panels import state_years
from ratify.risksets import treaty_risk_set
from ratify.sources.untc import read_untc_index, read_untc_participants

t0 = time.perf_counter()
index = read_untc_index()
treaties = index[index.has_participants & index.adoption_date.dt.year.between(1946, 2015)]
parts = read_untc_participants(treaties.mtdsg_no.tolist())
states = state_years("cow", 1946, 2015)
americas = states[states.ccode.between(20, 165)]
t1 = time.perf_counter()
risk = treaty_risk_set(americas, treaties, parts, end=2015)  # concordance, cross join, cuts, validation
t2 = time.perf_counter()

print(f"states: {americas.ccode.nunique()}, treaties: {len(treaties)}")
print(f"rows: {len(risk):,}, subjects: {risk.groupby(['ccode', 'mtdsg_no']).ngroups:,}, events: {int(risk.event.sum()):,}")
print(f"read + parse: {t1 - t0:.2f} s; risk set (concord + build + validate): {t2 - t1:.2f} s")
