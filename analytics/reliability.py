"""Internal-consistency reliability: Cronbach's alpha from a covariance matrix.

Alpha is computed from the k×k item covariance matrix, so it can be obtained either from raw
answers (:func:`cronbach_alpha`) or from sufficient statistics alone — counts, sums and sums
of cross-products — through :func:`listwise_covariance` or :func:`pairwise_covariance`
followed by :func:`cronbach_alpha_from_covariance`. Sufficient statistics can be accumulated
by a database query or streamed without ever holding the raw answers in memory.

Degenerate inputs (fewer than two items, fewer than two respondents, a total score with zero
variance, undefined covariances) give ``nan`` rather than an exception or a numpy warning.
"""

import math
import operator
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

__all__ = [
    "ACCEPTABLE_ALPHA",
    "AlphaResult",
    "cronbach_alpha",
    "cronbach_alpha_from_covariance",
    "listwise_covariance",
    "pairwise_covariance",
]

MissingPolicy = Literal["listwise", "pairwise"]

ACCEPTABLE_ALPHA = 0.7
"""Below this alpha a scale's items are said not to hold together: the usual threshold for
comparing groups (Nunnally, J. C. (1978). *Psychometric Theory*, 2nd ed., p. 245)."""

# A total-score variance this small relative to sum(|covariances|) is rounding noise: the
# total score is constant and alpha is undefined (it would otherwise be about -1e12 or worse).
_NUMERICALLY_ZERO = 1e-12


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha with its Feldt confidence interval.

    Attributes
    ----------
    alpha : float
        Cronbach's alpha; ``nan`` when it is undefined (see
        :func:`cronbach_alpha_from_covariance`).
    ci : tuple of float
        ``(lower, upper)`` Feldt confidence interval at the requested confidence level
        (0.95 unless another level was asked for); ``(nan, nan)`` when alpha is undefined.
    n : int
        Number of respondents the interval was computed with.
    k : int
        Number of items.
    """

    alpha: float
    ci: tuple[float, float]
    n: int
    k: int


def cronbach_alpha_from_covariance(
    covariance: ArrayLike, *, n: int, confidence: float = 0.95
) -> AlphaResult:
    r"""Cronbach's alpha and its Feldt confidence interval from an item covariance matrix.

    Parameters
    ----------
    covariance : array_like, shape (k, k)
        Item covariance matrix computed with ``ddof=1`` (for example the output of
        :func:`listwise_covariance` or :func:`pairwise_covariance`).
    n : int
        Number of respondents; only the confidence interval depends on it.
    confidence : float, default 0.95
        Confidence level of the interval, strictly between 0 and 1.

    Returns
    -------
    AlphaResult
        ``alpha``, ``ci``, ``n`` and ``k``.

    Raises
    ------
    ValueError
        If `covariance` is not a square two-dimensional matrix or `confidence` is not
        strictly between 0 and 1.
    TypeError
        If `n` is not an integer.

    Notes
    -----
    With :math:`\sigma_{ij}` the item covariances,

    .. math::

        \alpha = \frac{k}{k - 1}
                 \left(1 - \frac{\sum_i \sigma_{ii}}{\sum_i \sum_j \sigma_{ij}}\right),

    where :math:`\sum_{ij} \sigma_{ij}` is the variance of the total score. Feldt's
    interval at confidence level :math:`1 - \gamma`, with :math:`F^{-1}(p; d_1, d_2)` the
    quantile function of the F distribution, :math:`d_1 = n - 1` and
    :math:`d_2 = (n - 1)(k - 1)`, is

    .. math::

        \left[\,1 - (1 - \alpha)\, F^{-1}(1 - \gamma/2; d_1, d_2),\;
                1 - (1 - \alpha)\, F^{-1}(\gamma/2; d_1, d_2)\,\right].

    This is the interval ``pingouin.cronbach_alpha`` reports (unrounded here). It contains
    alpha at the usual confidence levels; for alpha > 1, which only a matrix that is not
    positive semi-definite (e.g. a pairwise one) can produce, the two bounds come out in
    reverse order and are returned as computed.

    Missing data: the matrix must already account for them. Any non-finite entry (for
    instance a pairwise covariance over fewer than two respondents) makes alpha ``nan``.
    ``alpha = nan`` and ``ci = (nan, nan)`` are also returned, without an exception or a
    warning, when ``k < 2``, ``n < 2`` or the total-score variance is 0 up to rounding,
    :math:`|\sum_{ij} \sigma_{ij}| \le 10^{-12} \sum_{ij} |\sigma_{ij}|` (a constant
    total score, e.g. an item and its reverse). With ``n = 2`` the interval is defined
    (:math:`d_1 = 1`) but very wide.

    References
    ----------
    .. [1] Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
           Psychometrika, 16(3), 297-334.
    .. [2] Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
           coefficient alpha. Applied Psychological Measurement, 11(1), 93-103.

    Examples
    --------
    >>> import numpy as np
    >>> covariance = np.array([[2.5, 1.5, 2.0], [1.5, 1.0, 1.0], [2.0, 1.0, 2.0]])
    >>> result = cronbach_alpha_from_covariance(covariance, n=5)
    >>> round(result.alpha, 6)  # 1.5 * (1 - 5.5 / 14.5) = 27 / 29
    0.931034
    >>> [round(bound, 4) for bound in result.ci]
    [0.6515, 0.9923]
    >>> (result.n, result.k)
    (5, 3)
    >>> cronbach_alpha_from_covariance(np.array([[1.0]]), n=5).alpha
    nan
    """
    matrix = np.asarray(covariance, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"covariance must be a square matrix, got shape {matrix.shape}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")
    respondents = operator.index(n)
    k = matrix.shape[0]
    undefined = AlphaResult(alpha=math.nan, ci=(math.nan, math.nan), n=respondents, k=k)
    if k < 2 or respondents < 2 or not np.isfinite(matrix).all():
        return undefined
    total = float(matrix.sum())
    if abs(total) <= _NUMERICALLY_ZERO * float(np.abs(matrix).sum()):
        return undefined
    alpha = k / (k - 1) * (1.0 - float(np.trace(matrix)) / total)
    gamma = 1.0 - confidence
    # float: scipy rejects Python ints beyond 64 bits.
    df1 = float(respondents - 1)
    df2 = df1 * (k - 1)
    # fdtri is the inverse F distribution function (isf(q) = fdtri(1 - q)), 50x faster.
    upper_quantile = float(special.fdtri(df1, df2, 1.0 - gamma / 2))
    lower_quantile = float(special.fdtri(df1, df2, gamma / 2))
    lower = 1.0 - (1.0 - alpha) * upper_quantile
    upper = 1.0 - (1.0 - alpha) * lower_quantile
    return AlphaResult(alpha=alpha, ci=(lower, upper), n=respondents, k=k)


def cronbach_alpha(
    answers: ArrayLike, *, missing: MissingPolicy = "listwise", confidence: float = 0.95
) -> AlphaResult:
    r"""Cronbach's alpha and its Feldt confidence interval from raw answers.

    Parameters
    ----------
    answers : array_like, shape (n, k)
        One row per respondent, one column per item; ``nan`` marks a missing answer.
    missing : {"listwise", "pairwise"}, default "listwise"
        How to treat missing answers (see Notes).
    confidence : float, default 0.95
        Confidence level of the Feldt interval, strictly between 0 and 1.

    Returns
    -------
    AlphaResult
        ``alpha``, ``ci``, ``n`` (the respondent count defined under Notes) and ``k``.

    Raises
    ------
    ValueError
        If `missing` is not ``"listwise"`` or ``"pairwise"``, `answers` is not
        two-dimensional or contains an infinite value, or `confidence` is out of range.

    Notes
    -----
    Alpha is :math:`\frac{k}{k-1}\left(1 - \sum_i \sigma_{ii} / \sum_{ij} \sigma_{ij}\right)`
    with the item covariances :math:`\sigma_{ij}` (``ddof=1``) and Feldt's interval, both as
    in :func:`cronbach_alpha_from_covariance`.

    Missing data:

    - ``"listwise"`` keeps only the respondents who answered every item; ``n`` is their
      number and the covariances are computed over them.
    - ``"pairwise"`` computes each covariance :math:`\sigma_{ij}` over the respondents who
      answered both items *i* and *j*, centred on those respondents' own means (the same
      matrix as ``pandas.DataFrame.cov()``); each variance :math:`\sigma_{ii}` thus uses
      everyone who answered item *i*. ``n`` is the number of respondents who answered at
      least one item; a row without any answer carries no information and is not counted.

    ``pingouin.cronbach_alpha`` (0.7) gives the same alpha but computes its interval with
    ``n`` = every row passed in, under both policies: rows deleted listwise and rows
    without any answer still count. Its interval therefore differs from this one whenever
    such rows are present (it is also rounded to 3 decimals).

    Alpha is ``nan`` when undefined: fewer than two items, fewer than two respondents
    (after listwise deletion), a covariance over fewer than two respondents (pairwise), or a
    total score with zero variance up to rounding (see
    :func:`cronbach_alpha_from_covariance`). No exception or warning is raised in these
    cases.

    The covariances are computed after subtracting each item's median, a shift that leaves
    them unchanged but keeps them accurate when the answers have a large offset, and gives a
    constant item a variance of exactly 0.

    References
    ----------
    .. [1] Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
           Psychometrika, 16(3), 297-334.
    .. [2] Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
           coefficient alpha. Applied Psychological Measurement, 11(1), 93-103.

    Examples
    --------
    >>> import numpy as np
    >>> answers = np.array(
    ...     [[1, 2, 1], [2, 2, 3], [3, 3, 3], [4, 4, 3], [5, 4, 5], [6, np.nan, 5]]
    ... )
    >>> listwise = cronbach_alpha(answers)
    >>> (round(listwise.alpha, 6), listwise.n, listwise.k)
    (0.931034, 5, 3)
    >>> [round(bound, 4) for bound in listwise.ci]
    [0.6515, 0.9923]
    >>> pairwise = cronbach_alpha(answers, missing="pairwise")
    >>> (round(pairwise.alpha, 4), pairwise.n)
    (0.9018, 6)
    """
    if missing not in ("listwise", "pairwise"):
        raise ValueError(f"missing must be 'listwise' or 'pairwise', got {missing!r}")
    data = np.asarray(answers, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(f"answers must be a two-dimensional array, got shape {data.shape}")
    if np.isinf(data).any():
        raise ValueError("answers must be finite numbers or nan")
    answered = ~np.isnan(data)
    if missing == "listwise":
        complete = data[answered.all(axis=1)]
        n = complete.shape[0]
        covariance = _covariance_from_answers(complete, np.ones(complete.shape, dtype=np.bool_))
    else:
        n = int(answered.any(axis=1).sum())
        covariance = _covariance_from_answers(data, answered)
    return cronbach_alpha_from_covariance(covariance, n=n, confidence=confidence)


def pairwise_covariance(n: ArrayLike, sums: ArrayLike, cross: ArrayLike) -> NDArray[np.float64]:
    r"""Pairwise-complete covariance matrix from sufficient statistics.

    Parameters
    ----------
    n : array_like, shape (k, k)
        ``n[i, j]`` is the number of respondents who answered both items *i* and *j*
        (``n[i, i]``: who answered item *i*).
    sums : array_like, shape (k, k)
        ``sums[i, j]`` is :math:`\sum x_i` over the respondents who answered both *i* and
        *j*. Not symmetric: ``sums[j, i]`` sums item *j* over the same respondents.
    cross : array_like, shape (k, k)
        ``cross[i, j]`` is :math:`\sum x_i x_j` over the respondents who answered both *i*
        and *j*; symmetric, with :math:`\sum x_i^2` on the diagonal.

    Returns
    -------
    numpy.ndarray of float64, shape (k, k)
        The covariances (``ddof=1``), ``nan`` where ``n[i, j] < 2``.

    Raises
    ------
    ValueError
        If the three arguments are not square matrices of the same shape.

    Notes
    -----
    .. math::

        \sigma_{ij} = \frac{\mathrm{cross}_{ij}
                           - \mathrm{sums}_{ij}\,\mathrm{sums}_{ji} / n_{ij}}{n_{ij} - 1}
                    = \frac{n_{ij}\,\mathrm{cross}_{ij} - \mathrm{sums}_{ij}\,\mathrm{sums}_{ji}}
                           {n_{ij}(n_{ij} - 1)}.

    This is the covariance over the respondents who answered both items, about those
    respondents' means, i.e. ``pandas.DataFrame.cov()`` of the raw answers; the diagonal is
    each item's variance over everyone who answered it.

    Missing data: already reflected in the statistics; cells over fewer than two
    respondents are ``nan`` (no warning).

    Exactness: when all three arguments are integer arrays (any numpy integer dtype, or
    ``dtype=object`` arrays of Python ints), the numerator
    :math:`n_{ij}\,\mathrm{cross}_{ij} - \mathrm{sums}_{ij}\,\mathrm{sums}_{ji}` and the
    denominator are computed in exact integer arithmetic and divided once, so every
    covariance is the correctly rounded float of its exact value — 10^8 respondents on a 1-7
    scale lose no precision to cancellation. Otherwise float64 arithmetic is used, whose
    cancellation error grows with the squared mean relative to the variance.

    References
    ----------
    .. [1] Little, R. J. A., & Rubin, D. B. (2019). Statistical Analysis with Missing Data
           (3rd ed.), section 3.4 (available-case analysis). Wiley.

    Examples
    --------
    Items ``x = [1, 2, 3, nan]`` and ``y = [2, nan, 6, 8]`` (both answered by respondents 1
    and 3 only):

    >>> import numpy as np
    >>> n = np.array([[3, 2], [2, 3]])
    >>> sums = np.array([[6, 4], [8, 16]])
    >>> cross = np.array([[14, 20], [20, 104]])
    >>> pairwise_covariance(n, sums, cross).tolist()
    [[1.0, 4.0], [4.0, 9.333333333333334]]
    """
    counts = np.asarray(n)
    totals = np.asarray(sums)
    products = np.asarray(cross)
    shape = counts.shape
    if len(shape) != 2 or shape[0] != shape[1] or totals.shape != shape or products.shape != shape:
        raise ValueError(
            "n, sums and cross must be square matrices of the same shape, got "
            f"{counts.shape}, {totals.shape} and {products.shape}"
        )
    if all(_is_integer_array(array) for array in (counts, totals, products)):
        return _exact_pairwise_covariance(counts, totals, products)
    counts_f = counts.astype(np.float64)
    totals_f = totals.astype(np.float64)
    products_f = products.astype(np.float64)
    defined = counts_f >= 2
    safe_counts = np.where(defined, counts_f, 2.0)
    covariance = (products_f - totals_f * totals_f.T / safe_counts) / (safe_counts - 1.0)
    result: NDArray[np.float64] = np.where(defined, covariance, np.nan)
    return result


def listwise_covariance(n: int | float, sums: ArrayLike, cross: ArrayLike) -> NDArray[np.float64]:
    r"""Covariance matrix of complete cases from sufficient statistics.

    Parameters
    ----------
    n : int or float
        Number of respondents (all of whom answered every item).
    sums : array_like, shape (k,)
        :math:`s_i = \sum x_i` over those respondents.
    cross : array_like, shape (k, k)
        :math:`C_{ij} = \sum x_i x_j` over those respondents (symmetric).

    Returns
    -------
    numpy.ndarray of float64, shape (k, k)
        The covariances (``ddof=1``); all ``nan`` when ``n < 2``.

    Raises
    ------
    ValueError
        If `sums` is not a vector or `cross` is not a matching square matrix.

    Notes
    -----
    .. math::

        \Sigma = \frac{C - s s^{\mathsf T} / n}{n - 1}
               = \frac{n C - s s^{\mathsf T}}{n (n - 1)}.

    Missing data: the statistics must come from the complete cases only (listwise
    deletion); ``n < 2`` gives an all-``nan`` matrix without a warning.

    Exactness: when `n` is an integer and `sums` and `cross` are integer arrays (numpy
    integer dtypes or ``dtype=object`` arrays of Python ints), :math:`nC - ss^{\mathsf T}`
    is computed in exact integer arithmetic and divided once, so each covariance is
    correctly rounded even for 10^8 respondents on a 1-7 scale; otherwise float64 is used.

    References
    ----------
    .. [1] Chan, T. F., Golub, G. H., & LeVeque, R. J. (1983). Algorithms for computing the
           sample variance: analysis and recommendations. The American Statistician,
           37(3), 242-247.

    Examples
    --------
    Items ``x = [1, 2, 3]`` and ``y = [2, 4, 7]``:

    >>> import numpy as np
    >>> listwise_covariance(3, np.array([6, 13]), np.array([[14, 31], [31, 69]])).tolist()
    [[1.0, 2.5], [2.5, 6.333333333333333]]
    """
    totals = np.asarray(sums)
    products = np.asarray(cross)
    if totals.ndim != 1 or products.shape != (totals.shape[0], totals.shape[0]):
        raise ValueError(
            "sums must be a vector (k,) and cross a (k, k) matrix, got "
            f"{totals.shape} and {products.shape}"
        )
    k = totals.shape[0]
    counts = np.full((k, k), n, dtype=object if isinstance(n, int | np.integer) else np.float64)
    # sums_ij = s_i for every j, so sums_ij * sums_ji = s_i * s_j.
    return pairwise_covariance(counts, np.repeat(totals[:, np.newaxis], k, axis=1), products)


def _is_integer_array(array: NDArray[np.generic]) -> bool:
    if np.issubdtype(array.dtype, np.integer):
        return True
    if array.dtype == np.dtype(object):
        return all(
            isinstance(value, int | np.integer) and not isinstance(value, bool)
            for value in array.flat
        )
    return False


def _exact_pairwise_covariance(
    counts: NDArray[np.generic], totals: NDArray[np.generic], products: NDArray[np.generic]
) -> NDArray[np.float64]:
    k = counts.shape[0]
    covariance = np.full((k, k), np.nan)
    for i in range(k):
        for j in range(k):
            n_ij = int(counts[i, j])
            if n_ij >= 2:
                numerator = n_ij * int(products[i, j]) - int(totals[i, j]) * int(totals[j, i])
                # int / int is correctly rounded in Python, whatever the size of the operands.
                covariance[i, j] = numerator / (n_ij * (n_ij - 1))
    return covariance


def _covariance_from_answers(
    data: NDArray[np.float64], answered: NDArray[np.bool_]
) -> NDArray[np.float64]:
    """Pairwise-complete covariances of raw answers (all pairs complete: listwise)."""
    # Covariances do not change under a shift. Shifting each item by its median makes the
    # one-pass formula of pairwise_covariance benign (|mean - median| <= standard deviation,
    # so at most about one bit is lost to cancellation) and leaves a constant item exactly 0.
    shift = np.zeros(data.shape[1])
    for item in range(data.shape[1]):
        values = data[answered[:, item], item]
        if values.size > 0:
            shift[item] = np.median(values)
    shifted = np.where(answered, data - shift, 0.0)
    indicator = answered.astype(np.float64)
    counts = indicator.T @ indicator
    sums = shifted.T @ indicator
    cross = shifted.T @ shifted
    return pairwise_covariance(counts, sums, cross)
