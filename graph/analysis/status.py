"""An item's status under a scenario, from its availability bounds (``DESIGN.md`` §3).

BLOCKED (high at 0), CONSTRAINED (high below 1), POSSIBLY_CONSTRAINED (low below 1, high at 1),
OK; for one pair of bounds (`impact_status`) or for arrays of them (`status_codes`).
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np

from stackgraph.graph.analysis._layout import F64, I64

__all__ = [
    "BY_CODE",
    "BY_RANK",
    "EPSILON",
    "RANK_OF_CODE",
    "Status",
    "impact_status",
    "status_codes",
    "status_of",
]

#: Availabilities within this distance of 0 are BLOCKED, of 1 are OK.
EPSILON = 1e-9


class Status(StrEnum):
    """Status of an item under a scenario, from its availability bounds."""

    OK = "OK"
    POSSIBLY_CONSTRAINED = "POSSIBLY_CONSTRAINED"
    CONSTRAINED = "CONSTRAINED"
    BLOCKED = "BLOCKED"

    @property
    def rank(self) -> int:
        """The order in which tables list statuses: worst first.

        Examples:
            >>> statuses = ["OK", "POSSIBLY_CONSTRAINED", "BLOCKED", "CONSTRAINED"]
            >>> sorted(statuses, key=lambda s: Status(s).rank)
            ['BLOCKED', 'CONSTRAINED', 'POSSIBLY_CONSTRAINED', 'OK']
        """
        return _RANK[self]


#: The statuses by their code in the vectorised pass (`status_codes`): 0 is OK, higher is worse.
BY_CODE = (Status.OK, Status.POSSIBLY_CONSTRAINED, Status.CONSTRAINED, Status.BLOCKED)
_RANK = {Status.BLOCKED: 0, Status.CONSTRAINED: 1, Status.POSSIBLY_CONSTRAINED: 2, Status.OK: 3}
#: :attr:`Status.rank` of each code.
RANK_OF_CODE = np.array([_RANK[s] for s in BY_CODE], dtype=np.int64)
#: The statuses by their rank.
BY_RANK = tuple(sorted(_RANK, key=_RANK.__getitem__))


def impact_status(low: float, high: float | None = None) -> Status:
    """The status availability bounds mean (a point when ``high`` is None).

    BLOCKED when ``high`` is 0, CONSTRAINED when it is below 1, POSSIBLY_CONSTRAINED when only
    ``low`` is below 1, else OK.

    Examples:
        >>> str(impact_status(0.0)), str(impact_status(0.4)), str(impact_status(1.0))
        ('BLOCKED', 'CONSTRAINED', 'OK')
        >>> str(impact_status(0.0, 0.4)), str(impact_status(0.4, 1.0))
        ('CONSTRAINED', 'POSSIBLY_CONSTRAINED')

    Notes:
        O(1); availabilities within ``EPSILON`` of 0 or 1 count as 0 or 1.
    """
    return status_of(low, low if high is None else high)


def status_of(low: float, high: float) -> Status:
    if high <= EPSILON:
        return Status.BLOCKED
    if high < 1.0 - EPSILON:
        return Status.CONSTRAINED
    if low < 1.0 - EPSILON:
        return Status.POSSIBLY_CONSTRAINED
    return Status.OK


def status_codes(low: F64, high: F64) -> I64:
    """The status of each pair of bounds as an index of `BY_CODE` (as :func:`impact_status`)."""
    # low <= high, so each test only raises the code
    status = np.zeros(low.shape, dtype=np.int64)
    status[low < 1.0 - EPSILON] = 1
    status[high < 1.0 - EPSILON] = 2
    status[high <= EPSILON] = 3
    return status
