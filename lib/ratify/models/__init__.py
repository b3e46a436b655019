"""Estimators and the tidy results they return (see ``results.ModelResult``).

``fit_cox`` (statsmodels PHReg, counting process, Efron/Breslow, clustered), the
proportion models in ``fractional`` and the survival curves in ``curves``; each
estimator is checked against R in ``tests/test_models_vs_r.py``.
"""

from .cox import CoxFit, fit_cox
from .curves import kaplan_meier, subject_spells, survival_table
from .fractional import FractionalFit, fit_beta_regression, fit_fractional_logit
from .results import ModelResult, terms_table

__all__ = ["CoxFit", "FractionalFit", "ModelResult", "fit_beta_regression", "fit_cox", "fit_fractional_logit",
           "kaplan_meier", "subject_spells", "survival_table", "terms_table"]
