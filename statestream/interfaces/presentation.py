"""Per-agent presentation clock and the fading envelope."""
from __future__ import annotations

import numpy as np


class PresentationClock:
    """Each agent shows a stimulus for a duration drawn from [min, max] (inclusive).

    ``advance`` returns the agents that start a new stimulus in this frame: all of them
    when forced (first frame, mode or split change), else those with elapsed >= duration.
    """

    def __init__(self, agents: int, rng: np.random.Generator):
        self.rng = rng
        self.elapsed = np.zeros(agents, dtype=np.int64)
        self.duration = np.zeros(agents, dtype=np.int64)
        self.onset = np.zeros(agents, dtype=np.int64)

    def advance(self, frame: int, forced: bool, min_duration: int, max_duration: int,
                single: bool = False) -> np.ndarray:
        if forced:
            new = np.ones(self.elapsed.shape, dtype=bool)
        else:
            self.elapsed += 1
            new = self.elapsed >= self.duration
        if single:  # every agent follows agent 0
            new[:] = new[0]
        count = int(new.sum())
        if count:
            drawn = self.rng.integers(min_duration, max_duration + 1, size=count)
            self.duration[new] = drawn[0] if single else drawn
            self.elapsed[new] = 0
            self.onset[new] = frame
        return new

    def fade(self, fading: int) -> np.ndarray:
        """Image factor per agent for the current frame."""
        return fade_factor(self.elapsed, self.duration, fading)

    def state_dict(self) -> dict:
        return {"elapsed": self.elapsed.copy(), "duration": self.duration.copy(),
                "onset": self.onset.copy()}

    def load_state_dict(self, state: dict) -> None:
        for key in ("elapsed", "duration", "onset"):
            setattr(self, key, np.array(state[key], dtype=np.int64))


def fade_factor(elapsed, duration, fading: int) -> np.ndarray:
    """min(rise, fall): (e+1)/(F+1) over the first F frames, (D-e)/(F+1) over the last F.

    Strictly between 0 and 1 while fading, 1 in between; ``fading`` 0 gives ones.
    """
    elapsed = np.asarray(elapsed, dtype=np.float64)
    if fading <= 0:
        return np.ones(elapsed.shape, dtype=np.float32)
    duration = np.asarray(duration, dtype=np.float64)
    rise = (elapsed + 1.0) / (fading + 1.0)
    fall = (duration - elapsed) / (fading + 1.0)
    return np.clip(np.minimum(rise, fall), 0.0, 1.0).astype(np.float32)
