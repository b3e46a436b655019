"""Models for an outcome that is a proportion (a treaty's ratification rate).

* **Fractional logit** (Papke & Wooldridge 1996): a binomial GLM with a logit link
  fitted to a share in [0, 1]. The point estimates are quasi-likelihood, so the
  standard error is a choice, and papers differ in which they report:
  ``model`` (binomial variance, scale 1), ``pearson`` (scaled by Pearson χ²/df, what R's
  ``quasibinomial`` reports), ``HC0`` (sandwich), ``HC1`` (HC0 × n/(n−k), as R's
  ``sandwich::vcovHC(type="HC1")``), ``stata`` (HC0 × n/(n−1), what Stata's
  ``fracreg``/``glm, vce(robust)`` reports) and ``cluster`` (by a column, with Stata's
  G/(G−1)·(n−1)/(n−k) factor). statsmodels' own GLM ``HC1`` applies no factor, so
  the factors are applied here, explicitly.
* **Beta regression** (statsmodels ``BetaModel``) on the same formula, for shares
  strictly inside (0, 1); exact 0s and 1s are squeezed with Smithson & Verkuilen's
  (y(n−1)+½)/n, and the result says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.othermod.betareg import BetaModel

from .frames import formula_columns
from .results import Z95, ModelResult, frame_provenance, terms_table

SE_TYPES = ("model", "pearson", "HC0", "HC1", "stata", "cluster")


@dataclass
class FractionalFit:
    """A fitted proportion model: tidy result, covariance used, and the design to predict from."""

    result: ModelResult
    params: pd.Series
    cov: pd.DataFrame
    glm: object = field(repr=False)
    frame: pd.DataFrame = field(repr=False)

    def _design(self, at: pd.DataFrame) -> np.ndarray:
        # statsmodels' own formula-to-design step for new data (patsy in 0.14, formulaic in 0.15)
        return np.asarray(self.glm._transform_predict_exog(at)[0])

    def predict(self, at: pd.DataFrame) -> pd.DataFrame:
        """Predicted share with a delta-method 95% CI on the response scale (as Stata ``margins``)."""
        X = self._design(at)
        p = 1 / (1 + np.exp(-(X @ self.params.to_numpy())))
        grad = (p * (1 - p))[:, None] * X
        se = np.sqrt(np.einsum("ij,jk,ik->i", grad, self.cov.to_numpy(), grad))
        return at.assign(predicted=p, std_error=se, conf_low=p - Z95 * se, conf_high=p + Z95 * se)

    def average_marginal_effect(self, term: str) -> dict:
        """d(share)/d(term) averaged over the estimation sample, with a delta-method SE."""
        names = list(self.params.index)
        if term not in names:
            raise KeyError(f"No term {term!r}; terms are {names}")
        j = names.index(term)
        X = np.asarray(self.glm.model.exog)
        b = self.params.to_numpy()
        p = 1 / (1 + np.exp(-(X @ b)))
        w = p * (1 - p)
        ame = float(b[j] * w.mean())
        grad = b[j] * ((w * (1 - 2 * p))[:, None] * X).mean(0)
        grad[j] += w.mean()
        se = float(np.sqrt(grad @ self.cov.to_numpy() @ grad))
        return {"term": term, "ame": ame, "std_error": se, "conf_low": ame - Z95 * se,
                "conf_high": ame + Z95 * se, "p_value": float(2 * stats.norm.sf(abs(ame / se)))}


def _covariance(res, se: str, cluster: np.ndarray | None) -> tuple[np.ndarray, str]:
    n, k = res.model.exog.shape
    if se == "model":
        return res.cov_params(), "model-based (binomial variance, scale 1)"
    if se == "pearson":
        return res.cov_params() * res.pearson_chi2 / res.df_resid, "Pearson-scaled (quasibinomial)"
    model = res.model
    if se == "cluster":
        robust = model.fit(cov_type="cluster", cov_kwds={"groups": cluster, "use_correction": True})
        g = len(np.unique(cluster))
        return robust.cov_params(), f"cluster-robust ({g} clusters, Stata small-sample factor)"
    hc0 = model.fit(cov_type="HC0").cov_params()
    factor = {"HC0": 1.0, "HC1": n / (n - k), "stata": n / (n - 1)}[se]
    label = {"HC0": "HC0 sandwich", "HC1": "HC1 sandwich, n/(n−k)", "stata": "robust, n/(n−1) (Stata)"}[se]
    return hc0 * factor, label


def fit_fractional_logit(frame: pd.DataFrame, formula: str, *, se: str = "stata", cluster: str | None = None,
                         name: str = "fractional_logit", label: str | None = None,
                         sources: list[str] | None = None) -> FractionalFit:
    """Binomial-logit GLM on a share; ``se`` picks the standard errors (see the module doc)."""
    if se not in SE_TYPES:
        raise ValueError(f"se={se!r} is not one of {SE_TYPES}")
    if (se == "cluster") != (cluster is not None):
        raise ValueError("se='cluster' needs cluster=<column>, and cluster=... needs se='cluster'")
    cols = formula_columns(formula, frame) + ([cluster] if cluster else [])
    used = frame[list(dict.fromkeys(cols))].dropna()
    outcome = formula.split("~")[0].strip()
    y = used[outcome]
    if ((y < 0) | (y > 1)).any():
        raise ValueError(f"{outcome!r} must lie in [0, 1]; found {y[(y < 0) | (y > 1)].iloc[:3].tolist()}")
    res = smf.glm(formula, data=used, family=sm.families.Binomial()).fit(tol=1e-12)
    cov, se_label = _covariance(res, se, used[cluster].to_numpy() if cluster else None)
    cov = pd.DataFrame(np.asarray(cov), index=res.params.index, columns=res.params.index)
    terms = terms_table(list(res.params.index), res.params, np.sqrt(np.diag(cov)))
    k = len(res.params)
    result = ModelResult(
        name=name, label=label or name, model="fractional logit (binomial quasi-likelihood)", terms=terms,
        n=int(res.nobs), loglik=float(res.llf), aic=float(-2 * res.llf + 2 * k),
        specification={"formula": formula, "se": se_label, "cluster": cluster,
                       "pearson_chi2": float(res.pearson_chi2), "deviance": float(res.deviance)},
        **frame_provenance(frame, sources))
    return FractionalFit(result=result, params=res.params, cov=cov, glm=res, frame=used)


def fit_beta_regression(frame: pd.DataFrame, formula: str, *, squeeze: bool = True, name: str = "beta_regression",
                        label: str | None = None, sources: list[str] | None = None) -> ModelResult:
    """Beta regression (logit mean link, constant precision) on a share."""
    cols = formula_columns(formula, frame)
    used = frame[cols].dropna().copy()
    outcome = formula.split("~")[0].strip()
    y = used[outcome].astype(float)
    n = len(y)
    boundary = int(((y <= 0) | (y >= 1)).sum())
    if boundary and not squeeze:
        raise ValueError(f"{boundary} values of {outcome!r} are exactly 0 or 1; pass squeeze=True")
    if squeeze:
        used[outcome] = (y * (n - 1) + 0.5) / n
    res = BetaModel.from_formula(formula, data=used).fit(disp=False, maxiter=500)
    k = len(res.params)
    result = ModelResult(
        name=name, label=label or name, model="beta regression (logit link, constant precision)",
        terms=terms_table(list(res.params.index), res.params, res.bse), n=n,
        loglik=float(res.llf), aic=float(-2 * res.llf + 2 * k),
        specification={"formula": formula, "squeeze": "(y(n-1)+0.5)/n" if squeeze else None,
                       "values_at_0_or_1": boundary, "se": "model-based (inverse Hessian)"},
        **frame_provenance(frame, sources))
    return result
