"""The watchdog: finds NaN/Inf in the states of a read and remembers where it first saw them."""
from __future__ import annotations

import numpy as np


class Watchdog:
    def __init__(self, upstream: dict, pause_on_bad: bool = True, every_s: float = 0.5):
        self.upstream = upstream  # {pool: pools that feed it}
        self.pools = list(upstream)
        self.pause_on_bad = pause_on_bad
        self.every_s = every_s
        self.enabled = True
        self.first: tuple | None = None  # (frame, [items]) of the first sighting
        self._last = -1e9
        self._last_frame = None

    def due(self, now: float, frame: int, streaming: bool) -> bool:
        """Every ``every_s`` while streaming; every new frame while stepping."""
        if not self.enabled or self.first is not None:
            return False
        return now - self._last >= self.every_s or (not streaming and frame != self._last_frame)

    def check(self, now: float, frame: int, arrays: dict) -> list:
        """Pools whose state holds NaN/Inf. The first sighting keeps the origins in
        ``first``: bad pools none of whose inputs is bad (all bad ones in a cycle)."""
        self._last, self._last_frame = now, frame
        bad = [name for name in self.pools
               if name in arrays and not np.isfinite(arrays[name]).all()]
        if bad and self.first is None:
            origins = [n for n in bad if not set(self.upstream.get(n, ())) & set(bad)]
            self.first = (frame, origins or bad)
        return bad

    def reset(self) -> None:
        self.first = None
