"""Cox partial likelihood on ``(start, stop]`` rows, maximised by Newton–Raphson over event times.

Why a second engine beside statsmodels ``PHReg``: with yearly clocks a frame of 100,000+
country-treaty-years has only a few dozen distinct event times per stratum, and a yearly row
``(t − 1, t]`` is at risk at one of them at most. Every sum the partial likelihood needs is a
sum over the rows at risk at one *(stratum, event time)* pair, so we number those pairs once per
frame (stratum, then time) and keep, as a sparse 0/1 matrix ``at_risk`` (pairs × rows), which
rows are at risk at which pair. A Newton step is then a handful of sparse products and one
weighted Gram matrix, with no loop over rows or event times:

* ``S0, S1`` (risk-set sums of ``r = exp(xβ)`` and ``r·x``) are ``at_risk @ r`` and
  ``at_risk·diag(r) @ X``;
* ``Σ_k S2_k / S0_k`` (the second-moment part of the information) is ``Xᵀ diag(r·w) X`` with
  ``w_i`` the sum of ``1 / S0`` over the pairs row ``i`` is at risk at (``at_risk.T @ …``),
  so no p × p array is formed per pair or per row.

Conventions, as in ``cox.py`` and R's ``coxph``: a row is at risk at ``t`` when
``start < t <= stop``; Breslow or Efron ties (Efron: the ``d`` deaths at a pair leave the
denominator in ``d`` equal steps, ``S0 − (j/d)·D0`` for ``j = 0 … d − 1``); covariates are
centred within each stratum (which leaves the partial likelihood unchanged and keeps the
variance sums well conditioned, as R's ``agfit4`` does); each stratum's risk scores are scaled by
its own largest ``exp(xβ)``, so one stratum's scale cannot underflow another's.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import linalg, sparse

#: Largest number of (row, pair) at-risk incidences the engine will hold (12 bytes each, so about
#: 60 MB). Yearly rows have at most one each; long intervals on a fine clock (continuous time,
#: many distinct event times) can have thousands, and ``fit_cox`` then uses statsmodels instead.
MAX_INCIDENCES = 5_000_000


@dataclass(frozen=True)
class EventTimeIndex:
    """Who is at risk at which (stratum, event time) pair: built once per frame, reused by every step.

    ``rows`` are the positions (in the frame passed in) of the rows at risk at one pair at least,
    sorted by their first pair, hence by stratum; rows at risk at none (e.g. in a stratum without
    events) drop out of every sum. Everything else is indexed by position among ``rows``.
    """

    n_rows: int
    n_pairs: int
    rows: np.ndarray            # frame positions of the used rows, sorted by stratum
    stratum_starts: np.ndarray  # where each stratum's block of used rows begins
    row_stratum: np.ndarray     # stratum number (0 … n_strata − 1) of each used row
    at_risk: sparse.csc_matrix  # pairs × used rows, 1 where the row is at risk at the pair
    dead: np.ndarray            # used-row positions of the event rows
    dead_pair: np.ndarray       # the pair at which each event row dies
    step_pair: np.ndarray       # one entry per death, sorted by pair: the pair of the death
    step_rank: np.ndarray       # j = 0 … d − 1 within the pair (the Efron step)
    step_deaths: np.ndarray     # d, the number of deaths at the pair

    def removal_fraction(self, ties: str) -> np.ndarray:
        """Share of the pair's dying risk removed from the denominator at each death step.

        Efron: ``j / d`` at step ``j`` of ``d``; Breslow: nothing is removed (all ``d`` deaths
        share the full risk set).
        """
        if ties == "breslow":
            return np.zeros(len(self.step_pair))
        return self.step_rank / self.step_deaths

    def per_pair(self, values: np.ndarray, pairs: np.ndarray | None = None) -> np.ndarray:
        """Sum per-death-step values (or per-event-row values, with ``pairs=self.dead_pair``) by pair."""
        out = np.zeros((self.n_pairs, *values.shape[1:]))
        np.add.at(out, self.step_pair if pairs is None else pairs, values)
        return out


def _pair_bounds(start, stop, status, strata):
    """First and last (stratum, event time) pair each row is at risk at, the number of pairs, strata codes.

    Pairs are numbered by stratum, then time. A pair's key is ``code · (T + 1) + rank``, where
    ``rank`` counts the distinct event times (any stratum) ``<= t``; a row's risk interval in key
    space runs from just after ``(code, rank(start))`` to ``(code, rank(stop))``, so two
    ``searchsorted`` calls place every row (exact on floats: no tolerance is involved).
    """
    start, stop = np.asarray(start, float), np.asarray(stop, float)
    codes = np.unique(strata, return_inverse=True)[1].ravel().astype(np.int64)
    dead = np.asarray(status) == 1
    times = np.unique(stop[dead])
    width = len(times) + 1
    rank_stop = np.searchsorted(times, stop, "right")
    pair_keys = np.unique(codes[dead] * width + rank_stop[dead])
    first = np.searchsorted(pair_keys, codes * width + np.searchsorted(times, start, "right"), "right")
    last = np.searchsorted(pair_keys, codes * width + rank_stop, "right") - 1
    return first, last, len(pair_keys), codes


def event_time_index(start: np.ndarray, stop: np.ndarray, status: np.ndarray, strata: np.ndarray,
                     max_incidences: int | None = None) -> EventTimeIndex | None:
    """Number the (stratum, event time) pairs and record who is at risk at each (vectorised).

    Returns None when the rows would have more than ``max_incidences`` at-risk incidences.
    """
    status = np.asarray(status).astype(int)
    first, last, n_pairs, codes = _pair_bounds(start, stop, status, strata)
    rows = np.flatnonzero(first <= last)
    lengths = last[rows] - first[rows] + 1
    if max_incidences is not None and lengths.sum() > max_incidences:
        return None
    order = np.argsort(first[rows], kind="stable")        # pairs are numbered by stratum first
    rows, lengths = rows[order], lengths[order]
    first, last, codes = first[rows], last[rows], codes[rows]
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    # column i of at_risk holds pairs first_i, first_i + 1, …, last_i
    offsets = np.arange(indptr[-1]) - np.repeat(indptr[:-1], lengths)
    at_risk = sparse.csc_matrix((np.ones(indptr[-1]), np.repeat(first, lengths) + offsets, indptr),
                                shape=(n_pairs, len(rows)))
    new_stratum = np.concatenate([[True], codes[1:] != codes[:-1]])
    dead = np.flatnonzero(status[rows] == 1)
    dead_pair = last[dead]                    # an event row dies at the last pair it is at risk at
    deaths = np.bincount(dead_pair, minlength=n_pairs)
    step_pair = np.sort(dead_pair)
    step_rank = np.arange(len(step_pair)) - (np.cumsum(deaths) - deaths)[step_pair]
    return EventTimeIndex(n_rows=len(status), n_pairs=n_pairs, rows=rows,
                          stratum_starts=np.flatnonzero(new_stratum), row_stratum=np.cumsum(new_stratum) - 1,
                          at_risk=at_risk, dead=dead, dead_pair=dead_pair,
                          step_pair=step_pair, step_rank=step_rank, step_deaths=deaths[step_pair])


@dataclass(frozen=True)
class CoxDesign:
    """What stays fixed across Newton steps: the index, the centred covariates, the ties rule."""

    index: EventTimeIndex
    X: np.ndarray        # used rows, centred within strata (column-major: the products below read columns)
    frac: np.ndarray     # removal fraction at each death step (see ``removal_fraction``)

    @classmethod
    def build(cls, index: EventTimeIndex, X: np.ndarray, ties: str) -> CoxDesign:
        Xu = np.asfortranarray(np.take(np.asarray(X, float), index.rows, axis=0))
        sizes = np.diff(np.append(index.stratum_starts, len(Xu)))
        if len(sizes) == 1:
            means = Xu.mean(0, keepdims=True)
        else:  # rows are sorted by stratum: one block of the indicator matrix per stratum
            member = sparse.csr_matrix((np.ones(len(Xu)), np.arange(len(Xu)),
                                        np.append(index.stratum_starts, len(Xu))), shape=(len(sizes), len(Xu)))
            means = (member @ Xu) / sizes[:, None]
        Xu -= means if len(sizes) == 1 else means[index.row_stratum]
        return cls(index=index, X=Xu, frac=index.removal_fraction(ties))

    def risk_weighted(self, r: np.ndarray) -> sparse.csc_matrix:
        """The at-risk matrix with each row's entries multiplied by its risk score ``r``."""
        A = self.index.at_risk
        return sparse.csc_matrix((np.repeat(r, np.diff(A.indptr)), A.indices, A.indptr), shape=A.shape)


@dataclass
class _Sums:
    """Risk-set sums at one β: the risk scores ``r`` per used row, ``s0`` and ``xbar`` per death step."""

    r: np.ndarray
    s0: np.ndarray       # denominator at each death step
    xbar: np.ndarray     # risk-weighted covariate mean at each death step
    loglik: float


def _sums(d: CoxDesign, beta: np.ndarray) -> _Sums:
    ix = d.index
    eta = d.X @ beta
    # scale each stratum's risk scores by its largest (overflow and cross-stratum underflow guard)
    shift = np.maximum.reduceat(eta, ix.stratum_starts)[ix.row_stratum]
    r = np.exp(eta - shift)
    k, dead = ix.step_pair, ix.dead
    s0, s1 = (ix.at_risk @ r)[k], (d.risk_weighted(r) @ d.X)[k]
    if d.frac.any():  # Efron: step j of d leaves out j/d of the dying rows' risk
        s0 = s0 - d.frac * ix.per_pair(r[dead], ix.dead_pair)[k]
        s1 = s1 - d.frac[:, None] * ix.per_pair(r[dead, None] * d.X[dead], ix.dead_pair)[k]
    # log L = Σ_deaths η_i − Σ_steps log(true S0), and true S0 = s0 · exp(shift of the dying stratum)
    loglik = float(eta[dead].sum() - np.log(s0).sum() - shift[dead].sum())
    return _Sums(r=r, s0=s0, xbar=s1 / s0[:, None], loglik=loglik)


def _derivatives(d: CoxDesign, s: _Sums) -> tuple[np.ndarray, np.ndarray]:
    """Score and information at the β that gave ``s``.

    information = Σ_steps [ S2_step / s0_step − x̄ x̄ᵀ ], and Σ_steps S2_step / s0_step =
    Σ_i r_i w_i x_i x_iᵀ with w_i = Σ_{pairs at risk} Σ_j 1 / s0_j − [i dies] Σ_j (j/d) / s0_j
    (w_i >= 0, so the sum is BᵀB with B = diag(√(r w)) X).
    """
    ix = d.index
    score = d.X[ix.dead].sum(0) - s.xbar.sum(0)
    w = ix.at_risk.T @ ix.per_pair(1.0 / s.s0)
    w[ix.dead] -= ix.per_pair(d.frac / s.s0)[ix.dead_pair]
    B = d.X * np.sqrt(s.r * np.maximum(w, 0.0))[:, None]
    info = B.T @ B - s.xbar.T @ s.xbar
    return score, (info + info.T) / 2


@dataclass
class NewtonFit:
    """Maximum partial likelihood by Newton–Raphson: estimates, information and the iteration record."""

    params: np.ndarray
    information: np.ndarray
    loglik: float
    loglik_init: float
    iterations: int
    converged: bool
    step_halvings: int
    sums: _Sums = field(repr=False)


def fit_partial_likelihood(d: CoxDesign, init: np.ndarray | None = None, eps: float = 1e-12,
                           iter_max: int = 20) -> NewtonFit:
    """Newton–Raphson with step halving, stopping as R's ``coxph`` does (with a smaller ``eps``).

    The rule is survival's (``agfit4.c``): after each full Newton step, stop when
    ``|1 − L_best / L_new| <= eps`` (relative change of the log partial likelihood) and the step
    was not a halved one; the returned β is that last step's. A step that lowers the likelihood
    (or makes it non-finite) is shrunk towards the last good β, ``β ← (h·β_old + β) / (h + 1)`` on
    the ``h``-th successive halving; ``iter_max`` Newton steps at most after the evaluation at
    ``init``. R's default ``eps = 1e-9`` can stop one step early: in the chapter 4 UN model a weakly
    identified subject dummy is then 1.4e-6 (relative) from the maximum, outside the 1e-6 our R
    checks allow. So the default here is ``1e-12``, one more Newton step at most, after which
    estimates agree with a fully converged ``coxph`` to about 1e-12; pass ``eps=1e-9`` for R's
    default path.
    """
    p = d.X.shape[1]
    beta = np.zeros(p) if init is None else np.asarray(init, float).copy()
    s = _sums(d, beta)
    if not np.isfinite(s.loglik):
        raise ValueError(f"The log partial likelihood at the initial values {beta} is not finite; "
                         "start from zeros or from the estimates of a similar model")
    score, info = _derivatives(d, s)
    loglik_init, best, old, halvings, halving = s.loglik, s.loglik, beta, 0, 0
    beta = beta + _newton_step(info, score)
    converged, ok, iteration = False, True, 0
    for iteration in range(1, iter_max + 1):
        s = _sums(d, beta)
        ok = bool(np.isfinite(s.loglik))
        if ok:
            score, info = _derivatives(d, s)
            ok = bool(np.all(np.isfinite(info)))
        if ok and halving == 0 and abs(s.loglik - best) <= eps * abs(s.loglik):  # |1 − L_best/L_new| <= eps
            converged = True
            break
        if iteration == iter_max:
            break
        if not ok or s.loglik < best:
            halving += 1
            halvings += 1
            beta = (old * halving + beta) / (halving + 1)
        else:
            halving, best, old = 0, s.loglik, beta
            beta = beta + _newton_step(info, score)
    if not converged:
        if not ok or s.loglik < best:       # the last try was worse than the last good β: use that
            beta = old
            s = _sums(d, beta)
            score, info = _derivatives(d, s)
        warnings.warn(f"Cox fit: no convergence in {iter_max} Newton steps (relative change of the log "
                      f"likelihood still above {eps:g}); raise iter_max or look for a covariate that "
                      "perfectly predicts the event", RuntimeWarning, stacklevel=3)
    return NewtonFit(params=beta, information=info, loglik=s.loglik, loglik_init=loglik_init,
                     iterations=iteration, converged=converged, step_halvings=halvings, sums=s)


def _newton_step(info: np.ndarray, score: np.ndarray) -> np.ndarray:
    try:
        return linalg.cho_solve(linalg.cho_factor(info), score)
    except linalg.LinAlgError:
        raise ValueError("The Cox information matrix is not positive definite: a covariate is constant "
                         "within every stratum or collinear with others; drop it") from None


def loglik_at(d: CoxDesign, beta: np.ndarray) -> float:
    """Log partial likelihood at ``beta`` (e.g. zeros, for the likelihood-ratio test)."""
    return _sums(d, np.asarray(beta, float)).loglik


def score_residuals(d: CoxDesign, fit: NewtonFit) -> tuple[np.ndarray, np.ndarray]:
    """Per-row score residuals U_i (n × p) and Schoenfeld residuals (event rows; NaN elsewhere).

    U_i = δ_i (x_i − x̄*) − r_i Σ_{pairs at risk} Σ_j c_ij (x_i − x̄_j) / s0_j, where x̄* is the mean
    of the ``d`` step means at the row's death (Efron; the one mean under Breslow) and
    ``c_ij = 1`` except at the row's own death under Efron, where it is ``1 − j/d``: the same
    residuals as ``cox._score_residuals`` and R's ``residuals(fit, "score")``.
    """
    ix, s, X = d.index, fit.sums, d.X
    inv = 1.0 / s.s0
    both = np.column_stack([inv, inv[:, None] * s.xbar])            # Σ_j 1/s0 and Σ_j x̄/s0, per pair
    per_row = ix.at_risk.T @ ix.per_pair(both)
    resid = -s.r[:, None] * (X * per_row[:, :1] - per_row[:, 1:])
    kept_out = ix.per_pair(d.frac[:, None] * both)                   # Efron: what a dying row does not carry
    mean_xbar = ix.per_pair(s.xbar) / np.bincount(ix.step_pair, minlength=ix.n_pairs).clip(min=1)[:, None]
    dead, k = ix.dead, ix.dead_pair
    schoen = X[dead] - mean_xbar[k]
    resid[dead] += schoen + s.r[dead, None] * (X[dead] * kept_out[k, :1] - kept_out[k, 1:])
    U = np.zeros((ix.n_rows, X.shape[1]))
    U[ix.rows] = resid
    schoenfeld = np.full((ix.n_rows, X.shape[1]), np.nan)
    schoenfeld[ix.rows[dead]] = schoen
    return U, schoenfeld
