"""Factor-structure check of questionnaire items.

Does each perception item load highest on the factor of the dimension it is meant to
measure? A maximum-likelihood factor analysis with as many factors as intended dimensions
is fitted to the standardised items, its factors are matched one-to-one to the dimensions,
and every item is checked against its intended dimension.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import FactorAnalysis
from sklearn.exceptions import ConvergenceWarning

__all__ = ["FactorStructure", "ItemFit", "factor_structure"]

ACCEPTABLE_SHARE_OK = 0.8
"""Below this share of items loading highest on their own dimension the questionnaire's
five-dimension structure is questioned, as the replications of SERVQUAL often found
(Carman, J. M. (1990). *Journal of Retailing*, 66(1), 33–55)."""
_MIN_ROWS_PER_ITEM = 3


@dataclass(frozen=True)
class ItemFit:
    """Where one item loads.

    Attributes
    ----------
    item
        Column index of the item in ``answers``.
    intended
        Dimension the item is meant to measure.
    assigned
        Dimension of the factor with the largest absolute loading of the item.
    loading
        The item's (signed) loading on that factor.
    ok
        ``intended == assigned``.
    """

    item: int
    intended: Hashable
    assigned: Hashable
    loading: float
    ok: bool


@dataclass(frozen=True)
class FactorStructure:
    """Result of :func:`factor_structure`.

    Attributes
    ----------
    dimensions
        Dimension codes in order of first appearance; factor ``j`` is matched to
        ``dimensions[j]``.
    loadings
        ``k`` rows (items) of ``m`` loadings (factors in the order of ``dimensions``), on the
        correlation scale, with signs so that each factor's matched items load positively
        on average; empty if ``insufficient``.
    items
        One :class:`ItemFit` per item; empty if ``insufficient``.
    share_ok
        Fraction of items whose highest loading is on their intended dimension's factor;
        ``nan`` if ``insufficient``.
    n_used
        Number of complete rows used.
    insufficient
        ``True`` if the data cannot support the check (see ``reason``).
    reason
        Why the result is insufficient, else ``None``.
    converged
        ``False`` if the factor analysis stopped at ``max_iter`` before converging.
    """

    dimensions: tuple[Hashable, ...]
    loadings: tuple[tuple[float, ...], ...]
    items: tuple[ItemFit, ...]
    share_ok: float
    n_used: int
    insufficient: bool = False
    reason: str | None = None
    converged: bool = True


def _insufficient(dims: tuple[Hashable, ...], n_used: int, reason: str) -> FactorStructure:
    return FactorStructure(
        dimensions=dims,
        loadings=(),
        items=(),
        share_ok=float("nan"),
        n_used=n_used,
        insufficient=True,
        reason=reason,
    )


def factor_structure(
    answers: npt.ArrayLike,
    dimensions: Sequence[Hashable],
    *,
    rotation: Literal["varimax", "quartimax"] | None = "varimax",
    random_state: int | None = 0,
    max_iter: int = 10_000,
) -> FactorStructure:
    r"""Check that each item loads highest on the factor of its intended dimension.

    Method:

    1. Keep the complete rows of ``answers`` (listwise deletion) and standardise each item
       to z-scores, :math:`z_{ik} = (x_{ik} - \bar x_k) / s_k` (``ddof=0``), so the
       loadings are on the correlation scale.
    2. Fit the maximum-likelihood factor model :math:`z = L f + \varepsilon`,
       :math:`\operatorname{cov}(z) = L L^\top + \Psi`, with ``m`` = number of distinct
       dimensions, by scikit-learn's ``FactorAnalysis`` with the given ``rotation``
       (varimax by default, Kaiser 1958). Loadings :math:`L` = ``components_.T``
       (``k`` × ``m``).
    3. Match factors to dimensions one-to-one by the Hungarian algorithm
       (``scipy.optimize.linear_sum_assignment``), maximising the sum over dimensions of
       :math:`C_{df}` = the mean of :math:`|L_{if}|` over the items ``i`` of dimension ``d``.
       Flip the sign of a factor if its matched items' loadings sum to a negative number.
    4. An item is ``ok`` if its largest :math:`|L_{if}|` is on the factor of its intended
       dimension; ``share_ok`` is the fraction of ``ok`` items.

    Parameters
    ----------
    answers
        ``n`` × ``k`` array of answers; ``np.nan`` marks a missing answer.
    dimensions
        Intended dimension code of each of the ``k`` items (any hashable values).
    rotation
        ``"varimax"``, ``"quartimax"`` or ``None`` (unrotated), passed to ``FactorAnalysis``.
    random_state
        Passed to ``FactorAnalysis``; with the exact SVD used here the fit does not depend on it.
    max_iter
        Maximum EM iterations; if reached, the result has ``converged=False``
        (scikit-learn's ``ConvergenceWarning`` is caught and reported this way).

    Returns
    -------
    FactorStructure

    Raises
    ------
    ValueError
        If ``answers`` is not two-dimensional, has no items, or ``dimensions`` does not
        have one entry per item.

    Notes
    -----
    Missing data: rows with any missing answer are dropped (listwise deletion); ``n_used``
    is the number of complete rows. The check is not attempted, and a result with
    ``insufficient=True``, no loadings and ``share_ok = nan`` is returned instead of
    raising or warning, when there are fewer than ``3 * k`` complete rows or an item has
    zero variance in them.

    Factor analysis needs many more rows than items for stable loadings; treat results
    from small samples as indicative. Matching is one-to-one, so two dimensions that are
    really one factor show up as misplaced items rather than as a shared factor.

    References
    ----------
    Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor analysis.
    *Psychometrika* 23(3), 187–200.
    Kuhn, H. W. (1955). The Hungarian method for the assignment problem.
    *Naval Research Logistics Quarterly* 2, 83–97.
    Parasuraman, A., Zeithaml, V. A. & Berry, L. L. (1988). SERVQUAL: a multiple-item
    scale for measuring consumer perceptions of service quality. *J. Retailing* 64(1).

    Examples
    --------
    Two latent factors, three items each; the third item is declared in the wrong
    dimension:

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(300, 2))
    >>> x = np.repeat(f, 3, axis=1) * 0.8 + rng.normal(scale=0.6, size=(300, 6))
    >>> r = factor_structure(x, ["A", "A", "B", "B", "B", "B"])
    >>> r.dimensions, r.n_used, round(r.share_ok, 3)
    (('A', 'B'), 300, 0.833)
    >>> [(it.item, it.intended, it.assigned) for it in r.items if not it.ok]
    [(2, 'B', 'A')]
    """
    x = np.asarray(answers, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"answers must be two-dimensional, got shape {x.shape}")
    k = x.shape[1]
    if k == 0:
        raise ValueError("answers has no items")
    intended = tuple(dimensions)
    if len(intended) != k:
        raise ValueError(f"dimensions has {len(intended)} entries for {k} items")
    dims = tuple(dict.fromkeys(intended))
    m = len(dims)

    complete = x[~np.isnan(x).any(axis=1)]
    n_used = int(complete.shape[0])
    if n_used < _MIN_ROWS_PER_ITEM * k:
        return _insufficient(
            dims, n_used, f"{n_used} complete rows, fewer than {_MIN_ROWS_PER_ITEM} per item"
        )
    sd = complete.std(axis=0)
    if np.any(sd == 0):
        constant = [int(i) for i in np.flatnonzero(sd == 0)]
        return _insufficient(dims, n_used, f"items without variance: {constant}")
    z = (complete - complete.mean(axis=0)) / sd

    # The exact SVD: on a few thousand rows of a few dozen items it is several times
    # faster than the randomised one and leaves nothing to chance.
    fa = FactorAnalysis(
        n_components=m,
        rotation=rotation,
        random_state=random_state,
        max_iter=max_iter,
        svd_method="lapack",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        fa.fit(z)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    for w in caught:
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    raw = np.asarray(fa.components_, dtype=np.float64).T  # k x m

    codes = np.array([dims.index(d) for d in intended])
    cost = np.vstack([np.abs(raw[codes == d]).mean(axis=0) for d in range(m)])
    dim_idx, factor_idx = linear_sum_assignment(cost, maximize=True)
    order = factor_idx[np.argsort(dim_idx)]  # factor matched to dimension d
    loadings = raw[:, order]
    for d in range(m):
        if loadings[codes == d, d].sum() < 0:
            loadings[:, d] = -loadings[:, d]

    fits = []
    for i in range(k):
        best = int(np.argmax(np.abs(loadings[i])))
        fits.append(
            ItemFit(
                item=i,
                intended=intended[i],
                assigned=dims[best],
                loading=float(loadings[i, best]),
                ok=bool(best == codes[i]),
            )
        )
    share_ok = sum(fit.ok for fit in fits) / k

    return FactorStructure(
        dimensions=dims,
        loadings=tuple(tuple(float(v) for v in row) for row in loadings),
        items=tuple(fits),
        share_ok=share_ok,
        n_used=n_used,
        converged=converged,
    )
