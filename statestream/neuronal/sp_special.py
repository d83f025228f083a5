"""Synapse pools without parameters: ``func`` expressions and TRANSFORMER sampling."""
from __future__ import annotations

from statestream.graph.expr import evaluate
from statestream.graph.model import Graph, SynapsePool

from .common import apply_expr, backend_functions, feature_slice


def broadcast_to_state(B, y, shape: tuple, what: str):
    """``y`` expanded to the target state ``shape`` (a new array), with a readable error."""
    have = tuple(B.shape(y))
    if have == shape:
        return y
    padded = (1,) * (len(shape) - len(have)) + have
    if len(have) > len(shape) or any(a not in (1, b) for a, b in zip(padded, shape)):
        raise ValueError(f"{what}: output shape {list(have)} does not broadcast to the target "
                         f"state {list(shape)}")
    return y + B.zeros(shape)


class FuncForward:
    """``func`` SP: the expression over the raw source states ``$fi``."""

    param_names: tuple = ()

    def __init__(self, sp: SynapsePool, graph: Graph, B):
        self.name, self.B = sp.name, B
        self.expr = sp.func
        self.inputs = tuple((f"{f}{i}", name) for f, i, name in sp.inputs())
        self.target_shape = graph.np_state_shape(sp.target)

    def __call__(self, sources, params, frame: int, seed: int):
        values = {key: sources[name] for key, name in self.inputs}
        y = evaluate(self.expr, backend_functions(self.B), values)
        return broadcast_to_state(self.B, y, self.target_shape, f"func SP {self.name}")


class TransformerForward:
    """TRANSFORMER SP: bilinear sampling of the image (factor 0, pact applied).

    2 factors: positions [A, 2, Xt, Yt] as fractions, column = pos0 * W (axis 3),
    row = pos1 * H (axis 2). 3 factors (glimpse): scale [A,1,1,1] and position
    [A,2,1,1] in [-1, 1]; centre col = pos0 * W/4 + W/2, centre row = pos1 * H/4 + H/2,
    output pixel (i, j) samples (centre row + scale * (i - (Xt-1)/2),
    centre col + scale * (j - (Yt-1)/2)).
    """

    param_names: tuple = ()

    def __init__(self, sp: SynapsePool, graph: Graph, B):
        self.name, self.B = sp.name, B
        self.pact = sp.pact[0][0]
        self.image, self.others = sp.source[0][0], tuple(row[0] for row in sp.source[1:])
        self.target_shape = graph.np_state_shape(sp.target)
        _, _, xt, yt = self.target_shape
        self.rows = B.asarray([[[i - (xt - 1) / 2.0] * yt for i in range(xt)]])  # [1, Xt, Yt]
        self.cols = B.asarray([[[j - (yt - 1) / 2.0 for j in range(yt)]] * xt])

    def __call__(self, sources, params, frame: int, seed: int):
        B = self.B
        image = apply_expr(B, self.pact, sources[self.image])
        agents, _, height, width = B.shape(image)
        if len(self.others) == 1:
            positions = sources[self.others[0]]
            py = feature_slice(B, positions, 1) * height
            px = feature_slice(B, positions, 0) * width
        else:
            scale = B.reshape(sources[self.others[0]], (agents, 1, 1))
            position = sources[self.others[1]]
            centre_col = feature_slice(B, position, 0) * (width / 4.0) + width / 2.0
            centre_row = feature_slice(B, position, 1) * (height / 4.0) + height / 2.0
            py = centre_row + scale * self.rows
            px = centre_col + scale * self.cols
        return B.bilinear_sample(image, py, px)
