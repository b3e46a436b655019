"""May a data file be passed on? A reading of each source's licence text in the registry.

The registry records licences as the manifest states them, in words ("CC BY 4.0 (...)",
"peacesciencer package GPL-2; underlying COW data under Correlates of War Project terms, cite",
"none stated in repo; ..."). A replication README must say, per source, whether the data may be
redistributed. We read the text clause by clause (clauses are separated by ";") and keep the most
restrictive finding, because a wrapper's open licence (an R package's GPL) does not free data that
a clause says remain under their provider's terms.
"""

from __future__ import annotations

import re

# Findings from most to least restrictive. Each clause gets the first that matches.
UNKNOWN = "unknown: no licence stated"
PROVIDER_TERMS = ("unclear: the data remain under their provider's own terms (no open licence named); "
                  "ask the provider")
NON_COMMERCIAL = "yes, for non-commercial use only, with attribution and under the same licence"
SHARE_ALIKE = "yes, with attribution and under the same licence"
ATTRIBUTION = "yes, with attribution"
PUBLIC_DOMAIN = "yes, without conditions (public domain)"
ORDER = [UNKNOWN, PROVIDER_TERMS, NON_COMMERCIAL, SHARE_ALIKE, ATTRIBUTION, PUBLIC_DOMAIN]

CLAUSE_RULES = [
    (re.compile(r"^none stated|no (open )?licen[cs]e stated", re.I), UNKNOWN),
    (re.compile(r"\bCC BY-NC|non-commercial", re.I), NON_COMMERCIAL),
    (re.compile(r"\bCC BY-SA|\bGPL|share-alike", re.I), SHARE_ALIKE),
    (re.compile(r"\bCC0\b|\bPDDL\b|public domain", re.I), PUBLIC_DOMAIN),
    (re.compile(r"\bCC BY\b|\bMIT\b", re.I), ATTRIBUTION),
    # a clause about the data themselves that names no licence: the provider's terms still apply
    (re.compile(r"\bterms\b|\bunderlying\b.*\b(data|list)\b", re.I), PROVIDER_TERMS),
]


def redistribution(licence: str) -> str:
    """Whether (and on what terms) the files of a source may be redistributed, from its licence text.

    "none stated" (the manifest found no licence) gives ``UNKNOWN`` whatever else the text says;
    otherwise the most restrictive finding over the clauses; a text naming nothing known is ``UNKNOWN``.
    """
    if re.match(r"\s*none stated", licence, re.I):
        return UNKNOWN
    findings = [next((found for rule, found in CLAUSE_RULES if rule.search(clause)), None)
                for clause in licence.split(";")]
    findings = [f for f in findings if f]
    return min(findings, key=ORDER.index) if findings else UNKNOWN
