"""Money for display: round amounts to cents so the displayed rows add up to the displayed total.

Allocated amounts keep the source's precision (``decimal(38, 10)``); only what a person reads is rounded.
Rounding each row on its own can make the rows disagree with their total by a cent or more; the largest
remainder method rounds the total (half away from zero), floors every row, and gives the cents still
missing to the rows with the largest remainders.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

__all__ = ["round_to_total"]


def round_to_total(amounts: Sequence[Decimal], *, places: int = 2) -> list[Decimal]:
    """Round ``amounts`` to ``places`` decimals so that they sum to their exact total rounded the same way.

    The total is rounded half away from zero; each amount is floored to the unit and the missing units go
    one each to the largest remainders (ties: the earlier amount). Each result is within one unit of its
    amount.

    Parameters
    ----------
    amounts
        Exact amounts (e.g. the business units of one currency).
    places
        Decimal places shown (2: cents).

    Returns
    -------
    list of Decimal
        The rounded amounts, in the order given.

    Examples
    --------
    >>> round_to_total([Decimal("3.333"), Decimal("3.333"), Decimal("3.334")])
    [Decimal('3.33'), Decimal('3.33'), Decimal('3.34')]
    >>> [str(x) for x in round_to_total([Decimal("0.005"), Decimal("0.005")])]
    ['0.01', '0.00']
    """
    if places < 0:
        raise ValueError(f"round_to_total: places={places} must be >= 0")
    unit = Decimal(1).scaleb(-places)
    values = [Decimal(a) for a in amounts]
    target = sum(values, Decimal(0)).quantize(unit, rounding=ROUND_HALF_UP)
    floors = [v.quantize(unit, rounding=ROUND_FLOOR) for v in values]
    missing = int((target - sum(floors, Decimal(0))) / unit)
    order = sorted(range(len(values)), key=lambda i: (-(values[i] - floors[i]), i))
    out = list(floors)
    for i in order[:missing]:
        out[i] += unit
    return out
