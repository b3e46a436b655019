"""Readers: one function per registered source, returning a tidy, typed frame.

Every frame carries its provenance in ``df.attrs`` (source id, file, SHA-256,
citation) and what the reader fixed or set aside (``unmatched``,
``dropped_duplicates``, ...), so a table built from it can say where its numbers
came from and what was left out.
"""

from .braindrain import read_iab_brain_drain
from .capabilities import read_capdist, read_capitals, read_mindist, read_nmc
from .conflict import cow_war_country_years, read_ucdp_acd, read_ucdp_onsets, ucdp_country_years
from .countrycodes import read_countrycode_panel, read_gapminder_countries
from .economy import read_gdi_wdi, read_sdp_gdp, read_trade
from .hrtreaties import read_hr_treaties
from .ieadb import read_ieadb_agreements, read_ieadb_memberships
from .igos import read_igo_counts, read_igo_memberships
from .imf import read_imf_arrangements
from .interventions import read_icb_actors, read_mids, read_mip
from .leaders import read_archigos
from .legal import read_legal_origin
from .manytreaties import read_manytreaties_agreements, read_manytreaties_parties
from .migration import (bilateral_totals, read_bilateral_stocks, read_ims_destination, read_migrant_stock_totals,
                        read_remittances)
from .ohchr import read_ohchr
from .ratrules import read_ratification_rules
from .regimes import (read_bmr, read_ccode_democracy, read_pacl, read_pacl_update, read_polity5, read_vdem,
                      read_vdem_constraints)
from .rights import read_ciri, read_cirights, read_fariss, read_pts
from .states import read_cow_states, read_gw_states
from .unga import read_ideal_points, read_unvotes
from .untc import read_untc_index, read_untc_participants
from .worldbank import read_gdp_per_capita, read_net_migration, read_oda_received, read_population

__all__ = ["read_iab_brain_drain", "read_ieadb_agreements", "read_ieadb_memberships", "read_imf_arrangements",
           "read_oda_received", "bilateral_totals", "read_archigos", "read_bilateral_stocks", "read_ccode_democracy", "read_gapminder_countries",
           "read_gdi_wdi", "read_ims_destination", "read_manytreaties_agreements", "read_manytreaties_parties",
           "read_mindist", "read_sdp_gdp", "read_trade", "read_ucdp_onsets", "read_unvotes", "read_pacl", "read_pacl_update", "read_vdem_constraints", "read_igo_memberships",
           "read_icb_actors", "read_mids", "read_mip", "cow_war_country_years", "read_ucdp_acd", "ucdp_country_years", "read_ohchr", "read_capdist", "read_capitals", "read_nmc", "read_igo_counts", "read_ratification_rules",
           "read_ideal_points", "read_ciri", "read_cirights", "read_fariss", "read_vdem", "read_bmr", "read_countrycode_panel", "read_cow_states", "read_gdp_per_capita", "read_gw_states",
           "read_hr_treaties", "read_legal_origin", "read_migrant_stock_totals", "read_net_migration",
           "read_polity5", "read_population", "read_pts", "read_remittances", "read_untc_index",
           "read_untc_participants"]
