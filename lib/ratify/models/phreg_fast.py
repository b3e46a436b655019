"""statsmodels ``PHReg`` with its risk-set bookkeeping built by array operations.

``PHSurvivalTime.__init__`` indexes the risk sets with Python loops over every row
(one ``searchsorted`` call per row). On a 725,000-row country-treaty-year frame that
bookkeeping costs more than the fit itself. ``FastSurvivalTime`` builds the very same
attributes (``stratum_rows``, ``ufailt_ix``, ``risk_enter``, ``risk_exit``, …) with
vectorised calls; ``tests/test_cox.py`` checks they are identical to statsmodels' own
on random data, so the likelihood, score and Hessian code of ``PHReg`` is unchanged.
"""

from __future__ import annotations

import numpy as np
from statsmodels.duration import hazard_regression as hr


def _group(keys: np.ndarray, n_groups: int, values: np.ndarray | None = None) -> list[np.ndarray]:
    """Split ``values`` (default: positions) by integer ``keys`` in 0..n_groups-1, keeping order."""
    values = np.arange(len(keys)) if values is None else values
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(n_groups + 1))
    return [values[order[bounds[k]:bounds[k + 1]]].astype(np.int32) for k in range(n_groups)]


class FastSurvivalTime(hr.PHSurvivalTime):
    """Same state as ``PHSurvivalTime``; built without per-row Python loops."""

    def __init__(self, time, status, exog, strata=None, entry=None, offset=None):
        if strata is None:
            strata = np.zeros(len(time), dtype=np.int32)
        if entry is None:
            entry = np.zeros(len(time))
        self._check(time, status, strata, entry)

        stratum_names_all, codes = np.unique(strata, return_inverse=True)
        stratum_rows = _group(codes.ravel(), len(stratum_names_all))
        keep = [i for i, ix in enumerate(stratum_rows) if status[ix].sum() > 0]
        self.nstrat_orig = len(stratum_rows)
        stratum_rows = [stratum_rows[i] for i in keep]
        stratum_names = [stratum_names_all[i] for i in keep]
        self.nstrat = len(stratum_rows)

        for stx, ix in enumerate(stratum_rows):
            failed = status[ix] == 1
            last_failure, first_failure = time[ix][failed].max(), time[ix][failed].min()
            ix = ix[entry[ix] <= last_failure]          # R's rule (Stata uses <)
            ix = ix[time[ix] >= first_failure]
            stratum_rows[stx] = ix[np.argsort(time[ix])]

        self.offset_s = None if offset is None else [offset[ix] for ix in stratum_rows]
        self.n_obs = sum(len(ix) for ix in stratum_rows)
        self.stratum_rows = stratum_rows
        self.stratum_names = stratum_names
        self.time_s = self._split(time)
        self.exog_s = self._split(exog)
        self.status_s = self._split(status)
        self.entry_s = self._split(entry)

        self.ufailt_ix, self.risk_enter, self.risk_exit, self.ufailt = [], [], [], []
        for stx in range(self.nstrat):
            ift = np.flatnonzero(self.status_s[stx] == 1)
            ft = self.time_s[stx][ift]
            uft = np.unique(ft)
            nuft = len(uft)
            self.ufailt.append(uft)
            self.ufailt_ix.append(_group(np.searchsorted(uft, ft), nuft, ift))
            enter = np.searchsorted(uft, self.time_s[stx], "right") - 1
            inside = np.flatnonzero(enter >= 0)
            self.risk_enter.append(_group(enter[inside], nuft, inside))
            self.risk_exit.append(_group(np.searchsorted(uft, self.entry_s[stx]), nuft))


class FastPHReg(hr.PHReg):
    """``PHReg`` whose survival-time structure is a ``FastSurvivalTime``.

    The body mirrors ``PHReg.__init__`` (statsmodels 0.14–0.15) with the one class swapped.
    """

    def __init__(self, endog, exog, status=None, entry=None, strata=None, offset=None,
                 ties="breslow", missing="drop", **kwargs):
        if status is None:
            status = np.ones(len(endog))
        super(hr.PHReg, self).__init__(endog, exog, status=status, entry=entry, strata=strata,
                                       offset=offset, missing=missing, **kwargs)
        for name in ("status", "entry", "strata", "offset"):
            if getattr(self, name) is not None:
                setattr(self, name, np.asarray(getattr(self, name)))
        self.surv = FastSurvivalTime(self.endog, self.status, self.exog, self.strata, self.entry, self.offset)
        self.nobs = len(self.endog)
        self.groups = None
        self.missing = missing
        self.df_resid = float(self.exog.shape[0] - np.linalg.matrix_rank(self.exog))
        self.df_model = float(np.linalg.matrix_rank(self.exog))
        if ties not in ("efron", "breslow"):
            raise ValueError(f"ties={ties!r}; use 'efron' or 'breslow'")
        self.ties = ties
