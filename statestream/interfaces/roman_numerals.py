"""roman_numerals: the numerals I..X (classes 0..9) drawn as jittered strokes; no data."""
from __future__ import annotations

import numpy as np

from statestream.interfaces.images import colourise, contrasting_colours, one_hot_planes
from statestream.interfaces.sampled import SampledInterface

TOP, BOTTOM = 0.1, 0.9


def _bar(x):
    return [((x, TOP), (x, BOTTOM))]


def _vee(x0, x1):
    mid = (x0 + x1) / 2
    return [((x0, TOP), (mid, BOTTOM)), ((mid, BOTTOM), (x1, TOP))]


def _cross(x0, x1):
    return [((x0, TOP), (x1, BOTTOM)), ((x1, TOP), (x0, BOTTOM))]


# Strokes per class in the unit square (x to the right, y down), 1 to 5 each.
NUMERALS = [np.array(strokes, dtype=np.float64) for strokes in (
    _bar(0.5),
    _bar(0.38) + _bar(0.62),
    _bar(0.26) + _bar(0.5) + _bar(0.74),
    _bar(0.2) + _vee(0.38, 0.86),
    _vee(0.22, 0.78),
    _vee(0.12, 0.62) + _bar(0.8),
    _vee(0.06, 0.5) + _bar(0.66) + _bar(0.86),
    _vee(0.04, 0.4) + _bar(0.54) + _bar(0.72) + _bar(0.9),
    _bar(0.2) + _cross(0.38, 0.86),
    _cross(0.22, 0.78),
)]
CLASSES = len(NUMERALS)


MAX_STROKES = max(n.shape[0] for n in NUMERALS)


def rasterise_many(strokes: list, x: int, y: int, widths) -> np.ndarray:
    """[N, x, y] coverage in [0, 1] of N numerals, each unit-square strokes [S, 2 ends, 2]:
    clip(width/2 + 0.5 - distance to the nearest stroke, 0, 1), distances in pixels.
    All numerals are drawn in one vectorised pass (strokes padded by repeating one);
    the x and y parts broadcast separately, so temporaries stay [N, S, x, y]."""
    padded = np.stack([np.concatenate([s, np.repeat(s[:1], MAX_STROKES - len(s), axis=0)])
                       for s in strokes]).astype(np.float32)  # [N, S, 2 ends, 2]
    ax, ay = padded[:, :, 0, 0] * x, padded[:, :, 0, 1] * y  # [N, S]
    abx, aby = padded[:, :, 1, 0] * x - ax, padded[:, :, 1, 1] * y - ay
    inv = 1.0 / np.maximum(abx * abx + aby * aby, np.float32(1e-12))
    dx = (np.arange(x, dtype=np.float32) + 0.5)[None, None, :, None] - ax[..., None, None]
    dy = (np.arange(y, dtype=np.float32) + 0.5)[None, None, None, :] - ay[..., None, None]
    abx, aby, inv = abx[..., None, None], aby[..., None, None], inv[..., None, None]
    t = np.clip((dx * abx + dy * aby) * inv, 0.0, 1.0)  # [N, S, x, y]
    ex, ey = dx - t * abx, dy - t * aby
    dist = np.sqrt((ex * ex + ey * ey).min(axis=1))
    width = np.asarray(widths, dtype=np.float32)[:, None, None]
    return np.clip(width / 2 + 0.5 - dist, 0.0, 1.0).astype(np.float32)


def rasterise(strokes: np.ndarray, x: int, y: int, width: float) -> np.ndarray:
    """[x, y] coverage of one numeral (see :func:`rasterise_many`)."""
    return rasterise_many([strokes], x, y, [width])[0]


def jitter(cls: int, rng: np.random.Generator | None = None) -> tuple:
    """(jittered strokes, stroke width in pixels) of numeral ``cls``; none without ``rng``."""
    strokes = NUMERALS[cls].copy()
    width = 1.5
    if rng is not None:
        count = strokes.shape[0]
        scale = rng.uniform(0.8, 1.0)
        shift = rng.uniform(-0.02, 0.02, size=2)
        per_stroke = rng.uniform(-0.02, 0.02, size=(count, 1, 2))
        per_end = rng.uniform(-0.02, 0.02, size=(count, 2, 2))
        strokes = 0.5 + scale * (strokes - 0.5) + shift + per_stroke + per_end
        width = rng.uniform(1.0, 2.0)
    return strokes, width


def render_numeral(cls: int, x: int, y: int, rng: np.random.Generator | None = None) -> tuple:
    """(coverage [x, y], jittered strokes) of numeral ``cls``; no jitter without ``rng``."""
    strokes, width = jitter(cls, rng)
    return rasterise(strokes, x, y, width), strokes


class RomanNumerals(SampledInterface):
    TYPE = "roman_numerals"
    USES_SPLIT = False
    STATE = SampledInterface.STATE + ("coverage", "colours")

    def __init__(self, item, graph, seed):
        super().__init__(item, graph, seed)
        self.check_features("rn_label", CLASSES)
        self.setup((CLASSES, CLASSES, CLASSES), CLASSES)
        shape = self.out_shapes.get("rn_image", (self.agents, 1, 1, 1))
        self.coverage = np.zeros((self.agents,) + shape[2:], dtype=np.float32)
        self.colours = np.zeros((self.agents, 2, 3), dtype=np.float32)

    def sample_label(self, part, index):
        return index

    def present(self, agents, params):
        x, y = self.coverage.shape[1:]
        drawn = []
        for a in agents:
            drawn.append(jitter(int(self.label[a]), self.rng))
            self.colours[a] = contrasting_colours(self.rng)
        if drawn:
            strokes, widths = zip(*drawn)
            self.coverage[np.asarray(agents)] = rasterise_many(list(strokes), x, y, widths)

    def render(self, params, fade):
        out = {}
        shape = self.out_shapes.get("rn_image")
        if shape is not None:
            if shape[1] == 3:
                image = np.stack([colourise(c, *self.colours[a])
                                  for a, c in enumerate(self.coverage)])
            else:
                image = np.repeat(self.coverage[:, None], shape[1], axis=1)
            out["rn_image"] = image * fade[:, None, None, None]
        if "rn_label" in self.out_shapes:
            out["rn_label"] = one_hot_planes(self.label, self.out_shapes["rn_label"])
        return out
