"""Bottleneck adaptation: periods follow the measured costs of the items."""
from __future__ import annotations

import math


def adapt_periods(period, offset, factor, cost, busy) -> list:
    """Bottleneck adaptation (runtime.md 4.2, fixed so a period can fall again).

    Items with ``factor > 0`` are "not the bottleneck": their period becomes the smallest
    one at which an execution (``cost`` seconds) takes at most ``factor`` times the
    bottleneck's time per frame (the largest ``busy`` of items with ``factor <= 0``).
    Returns the indices whose period changed; offsets are kept below the period.
    """
    bottleneck = max((busy[i] for i in range(len(period)) if factor[i] <= 0), default=0.0)
    changed = []
    if bottleneck <= 0:
        return changed
    for i in range(len(period)):
        if factor[i] <= 0 or cost[i] <= 0:
            continue
        new = max(1, math.ceil(cost[i] / (factor[i] * bottleneck) - 1e-9))
        if new != period[i]:
            period[i] = new
            offset[i] = offset[i] % new
            changed.append(i)
    return changed
