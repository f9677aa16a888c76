"""Mean vectors and co-moment matrices that merge: the core of reports from aggregates.

The database keeps *power sums* (n, Σx, Σxxᵀ as exact integers) because plain SQL ``SUM``
adds them across days, sites and database shards. This module turns power sums into centred
moments without losing precision, and merges centred moments of two groups with the
parallel formulas of Chan, Golub & LeVeque, so that a mean and a covariance over any union
of groups come out as if computed from the raw answers.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Moments:
    """Count, mean vector and co-moment matrix of k variables observed together.

    ``m2`` is Σ (x − x̄)(x − x̄)ᵀ over the n observations (the sum of squared deviations on
    the diagonal), so the sample covariance is ``m2 / (n − 1)``.
    """

    n: int
    mean: FloatArray
    m2: FloatArray

    @property
    def k(self) -> int:
        """Number of variables."""
        return int(self.mean.shape[0])

    def covariance(self) -> FloatArray:
        """Sample covariance matrix (divisor n − 1); nan when n < 2."""
        if self.n < 2:
            return np.full((self.k, self.k), np.nan)
        return self.m2 / (self.n - 1)

    def variance(self) -> FloatArray:
        """Sample variances (divisor n − 1); nan when n < 2."""
        return np.diag(self.covariance()).copy()

    def merge(self, other: "Moments") -> "Moments":
        """The moments of the union of two disjoint groups (Chan et al.'s update).

        Parameters
        ----------
        other : Moments
            Moments of the same variables over other observations.

        Returns
        -------
        Moments
            With n = n_a + n_b, δ = x̄_b − x̄_a:
            x̄ = x̄_a + δ · n_b / n and M2 = M2_a + M2_b + δδᵀ · n_a n_b / n.

        Notes
        -----
        Missing data: none here; each group holds complete observations of all k variables.

        References
        ----------
        Chan, T. F., Golub, G. H., & LeVeque, R. J. (1979). Updating formulae and a pairwise
        algorithm for computing sample variances. Stanford CS report STAN-CS-79-773.

        Examples
        --------
        >>> a = Moments.from_observations([[1.0], [2.0]])
        >>> b = Moments.from_observations([[4.0], [5.0], [8.0]])
        >>> whole = a.merge(b)
        >>> whole.n, float(whole.mean[0]), float(whole.covariance()[0, 0])
        (5, 4.0, 7.5)
        """
        if other.k != self.k:
            raise ValueError(f"cannot merge moments of {self.k} and {other.k} variables")
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        n = self.n + other.n
        delta = other.mean - self.mean
        mean = self.mean + delta * (other.n / n)
        m2 = self.m2 + other.m2 + np.outer(delta, delta) * (self.n * other.n / n)
        return Moments(n=n, mean=mean, m2=m2)

    @classmethod
    def empty(cls, k: int) -> "Moments":
        """No observations of k variables."""
        return cls(n=0, mean=np.zeros(k), m2=np.zeros((k, k)))

    @classmethod
    def from_observations(cls, observations: ArrayLike) -> "Moments":
        """Moments of an n×k array of complete observations.

        Examples
        --------
        >>> m = Moments.from_observations([[1.0, 2.0], [3.0, 6.0]])
        >>> m.mean.tolist(), m.m2.tolist()
        ([2.0, 4.0], [[2.0, 4.0], [4.0, 8.0]])
        """
        x = np.asarray(observations, dtype=np.float64)
        if x.ndim != 2:
            raise ValueError("observations must be an n×k array")
        if x.shape[0] == 0:
            return cls.empty(x.shape[1])
        mean = x.mean(axis=0)
        centred = x - mean
        return cls(n=int(x.shape[0]), mean=mean, m2=centred.T @ centred)

    @classmethod
    def from_power_sums(
        cls,
        n: int,
        sums: Sequence[int | Fraction | float],
        cross: Sequence[Sequence[int | Fraction | float]],
    ) -> "Moments":
        """Moments from n, the sums Σx and the cross-products Σxxᵀ.

        Parameters
        ----------
        n : int
            Number of observations.
        sums : sequence of length k
            Σ x_i over the observations.
        cross : k×k nested sequence
            Σ x_i x_j over the observations (the diagonal holds Σ x_i²).

        Returns
        -------
        Moments
            x̄ = s / n and M2 = Σxxᵀ − s sᵀ / n.

        Notes
        -----
        The subtraction is done in exact rational arithmetic (integers and
        :class:`fractions.Fraction` stay exact), so the textbook cancellation of the
        one-pass formula cannot happen: 10^8 answers on a 1–7 scale lose nothing. Floats
        are converted to their exact binary value first.

        Examples
        --------
        >>> m = Moments.from_power_sums(4, [10], [[30]])  # the answers 1, 2, 3, 4
        >>> float(m.mean[0]), float(m.covariance()[0, 0])
        (2.5, 1.6666666666666667)
        """
        k = len(sums)
        if n <= 0:
            return cls.empty(k)
        n = int(n)
        mean = np.empty(k)
        m2 = np.empty((k, k))
        if all(isinstance(v, int) for v in sums) and all(
            isinstance(v, int) for row in cross for v in row
        ):
            # Integers: n·Σxy − ΣxΣy is exact, and int / int rounds once, correctly.
            for i in range(k):
                mean[i] = sums[i] / n
                for j in range(i, k):
                    numerator = n * cross[i][j] - sums[i] * sums[j]
                    m2[i, j] = m2[j, i] = numerator / n
            return cls(n=n, mean=mean, m2=m2)
        exact_sums = [Fraction(v) for v in sums]
        for i in range(k):
            mean[i] = float(exact_sums[i] / n)
            for j in range(i, k):
                value = Fraction(cross[i][j]) - exact_sums[i] * exact_sums[j] / n
                m2[i, j] = m2[j, i] = float(value)
        return cls(n=int(n), mean=mean, m2=m2)
