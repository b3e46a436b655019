"""Canonical panels: country-years keyed on (ccode, year), built by small verbs."""

from .finance import add_imf_arrangements, add_oda
from .merge import add_lag, add_measure, add_static, coverage, keep_merges
from .migration import add_skilled_emigration
from .stateyears import state_years
from .verbs import (add_capabilities, add_conflict, add_constraints, add_democracy, add_human_rights, add_distance_to, add_gdp_per_capita, add_ideal_point,
                    add_igo_count, add_legal_origin, add_migrant_stock, add_net_migration, add_population,
                    add_pts, add_ratification_rules, add_region, add_remittances)

__all__ = ["state_years", "add_lag", "add_measure", "add_static", "coverage", "keep_merges", "add_democracy",
           "add_gdp_per_capita",
           "add_legal_origin", "add_migrant_stock", "add_net_migration", "add_population", "add_pts",
           "add_region", "add_remittances", "add_capabilities",
           "add_distance_to", "add_ideal_point", "add_igo_count", "add_ratification_rules",
           "add_conflict", "add_human_rights", "add_constraints", "add_imf_arrangements", "add_oda",
           "add_skilled_emigration"]
