"""Whether a source may be redistributed, read from the licence text the registry records."""

from __future__ import annotations

import pytest

from ratify import data
from ratify.data.licences import (ATTRIBUTION, NON_COMMERCIAL, PROVIDER_TERMS, PUBLIC_DOMAIN, SHARE_ALIKE,
                                  UNKNOWN, redistribution)


@pytest.mark.parametrize("licence, expected", [
    ("none stated in repo; World Bank WDI data CC BY 4.0", UNKNOWN),  # the manifest found none: say so
    ("democracyData package GPL-3; dataset itself under its original provider's terms "
     "(BMR: no licence stated by the authors; cite)", UNKNOWN),
    ("peacesciencer package GPL-2; underlying COW data under Correlates of War Project terms, cite", PROVIDER_TERMS),
    ("peacesciencer package GPL-2; underlying Gleditsch-Ward list, cite", PROVIDER_TERMS),
    ("peacesciencer package GPL-2; underlying COW data under Correlates of War Project terms, cite; "
     "V-Dem component CC BY-SA 4.0", PROVIDER_TERMS),  # the most restrictive clause wins
    ("CC BY-NC-SA 3.0 US stated in the repo's v3 README", NON_COMMERCIAL),
    ("democracyData package GPL-3; dataset itself under its original provider's terms (V-Dem data: CC BY-SA 4.0)",
     SHARE_ALIKE),
    ("GPL-3 (countrycode package)", SHARE_ALIKE),
    ("CC BY 4.0 (package DESCRIPTION; note the repo's LICENSE.md file carries AGPL-3 text)", ATTRIBUTION),
    ("ODC-PDDL-1.0 (datapackage.json); underlying WDI data CC BY 4.0", ATTRIBUTION),
    ("ODC-PDDL-1.0 (datapackage.json)", PUBLIC_DOMAIN),
    ("MIT (unvotes package); underlying Voeten UNGA voting data on Harvard Dataverse (reported as CC0)", ATTRIBUTION),
    ("see the website", UNKNOWN),
])
def test_redistribution_reads_the_licence_text(licence, expected):
    assert redistribution(licence) == expected


def test_every_registered_source_gets_a_finding():
    reg = data.registry()
    findings = {s: redistribution(f.licence) for s in reg.sources for f in reg.source_files(s)[:1]}
    assert set(findings) == set(reg.sources)
    assert all(f.startswith(("yes", "unknown", "unclear")) for f in findings.values())
