"""Estimators and the tidy results they return (see ``results.ModelResult``). One model per module:

- ``cox``: Cox proportional hazards (counting process, Efron/Breslow ties, stratified, clustered),
  fitted by the Newton engine of ``cox_newton`` (statsmodels PHReg kept as the reference path);
- ``linear``: OLS and WLS with absorbed fixed effects (pyfixest ``feols``), clustered SEs;
- ``poisson``: Poisson with absorbed fixed effects (pyfixest ``fepois``), clustered SEs;
- ``ordinal``: ordered logit (statsmodels ``OrderedModel`` with analytic derivatives), clustered SEs;
- ``ipw``: stabilised, truncated inverse-probability weights and the weighted linear model;
- ``kink``: threshold search (a hinge at each candidate break, compared by AIC/BIC);
- ``fractional``: fractional logit and beta regression for shares; ``curves``: survival curves;
- helpers: ``frames.complete`` (the listwise-complete model frame every estimator uses) and
  ``event_study`` (binned event-time dummies and the path they trace).

**Clustered standard errors, one convention for the book** (stated in ``linear``): the sandwich
times G/(G−1)·(n−1)/(n−k), k counting every estimated parameter including fixed effects and
thresholds, i.e. R's ``sandwich::vcovCL(type = "HC1")``. The Cox model follows R's
``coxph(cluster = )``, which applies no factor. Every estimator is checked against R to 1e-6
(``tests/test_models_vs_r.py``, ``tests/test_linear_models_vs_r.py``).
"""

from .cox import CoxFit, fit_cox
from .curves import kaplan_meier, subject_spells, survival_table
from .event_study import event_path, event_term, event_time_dummies
from .fractional import FractionalFit, fit_beta_regression, fit_fractional_logit
from .frames import complete, unit_trends
from .ipw import fit_ipw_linear, ipw_weights
from .kink import hinge, kink_search
from .linear import RegressionFit, fit_linear
from .ordinal import OrderedFit, fit_ordered_logit
from .poisson import fit_poisson
from .results import ModelResult, terms_table

__all__ = ["CoxFit", "FractionalFit", "ModelResult", "OrderedFit", "RegressionFit", "complete", "unit_trends", "event_path",
           "event_term", "event_time_dummies", "fit_beta_regression", "fit_cox", "fit_fractional_logit",
           "fit_ipw_linear", "fit_linear", "fit_ordered_logit", "fit_poisson", "hinge", "ipw_weights", "kaplan_meier",
           "kink_search", "subject_spells", "survival_table", "terms_table"]
