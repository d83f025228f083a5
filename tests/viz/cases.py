"""The screenshot cases of the GUI tests, shared with make_references.py.

Every case opens a fresh session on shapes.st_graph (seed 0, no learning), runs the
commands, renders after FRAMES frames with the sub-windows opened, and compares the
picture with its own reference image (downscaled by SHRINK, see compare())."""
from __future__ import annotations

import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
GRAPH = os.path.join(HERE, "shapes.st_graph")
REFERENCE = os.path.join(HERE, "reference")
FRAMES = 6
SHRINK = 8          # references are stored at 1/8 of the window size
TOLERANCE = 6.0     # mean absolute difference (0..255) of the downscaled pictures
SHAPES = ("gray", "maps", "vector", "single")  # [1,X,Y], [C,X,Y], [C,1,1], [1,1,1]
WINDOW = (1024, 700)

CASES = {
    "maps_large": ((1280, 800), [], [(s, "maps", None) for s in SHAPES + ("picture",)]),
    "maps_small": ((640, 480), [], [(s, "maps", None) for s in SHAPES]),
    "histogram": (WINDOW, [], [(s, "histogram", None) for s in SHAPES]),
    "plot": (WINDOW, [], [(s, "plot", None) for s in SHAPES]),
    "scatter": (WINDOW, [], [("gray", "scatter", None), ("maps", "scatter", None),
                             ("vector", "scatter", "vector"), ("single", "scatter", None)]),
    "rgb": (WINDOW, [], [("picture", "rgb", None), ("gray", "rgb", None)]),
    "nan": (WINDOW, ["set picture noise_std 1e4"], [("broken", "maps", None),
                                                     ("beyond", "histogram", None),
                                                     ("beyond", "maps", None)]),
    "param": (WINDOW, [], [("gray_maps/W_0_0", "maps", None),
                           ("maps_vector/W_0_0", "histogram", None),
                           ("maps/b", "maps", None), ("gray/b", "maps", None)]),
    "param_small": ((640, 480), [], [("maps_vector/W_0_0", "maps", None)]),
    # meta-variables (mv/NAME) and the rollout view (rollout, or rollout:NP:FRAME selected)
    "mv_plot": (WINDOW, ["mv add stats scalar_stats source=maps,gray stats=mean,std,max"],
                [("mv/stats", "plot", None)]),
    "mv_maps": (WINDOW, ["mv add pairs bivariate_metric source=maps metric=corr"],
                [("mv/pairs", "maps", None)]),
    "rollout": (WINDOW, [], [("rollout", None, None)]),
    "rollout_selected": (WINDOW, [], [("rollout", "vector", 2)]),
}
RANGE_CASES = {"range_" + r: r for r in ("tile", "fixed", "symmetric")}


def render(case: str, path: str):
    """Render one case into ``path``; returns the (closed) App for further checks."""
    import statestream
    from statestream.viz.app import App

    name = RANGE_CASES.get(case)
    size, commands, opens = CASES["maps_large" if name else case]
    with statestream.open(GRAPH, seed=0, learning=False) as session:
        for command in commands:
            assert not session.command(command).startswith("error")
        app = App(session, size, fps=240, restore=False, save=False)
        try:
            for source, mode, other in opens:
                if source == "rollout":
                    app.open_rollout((mode, other) if mode else None, frames=5)
                    continue
                window = app.open_window(source, mode, other)
                if name:
                    window.range_mode = name
            app.view.fit(app.graph_area())
            app.screenshot(path, FRAMES)
        finally:
            app.close()
    return app


def load(path: str) -> np.ndarray:
    """A PNG as an (H, W, 3) uint8 RGB array."""
    import pygame

    return np.transpose(pygame.surfarray.array3d(pygame.image.load(path)), (1, 0, 2))


def shrink(image: np.ndarray, factor: int = SHRINK) -> np.ndarray:
    """Block means: (H, W, 3) -> (H // factor, W // factor, 3) float."""
    h, w = image.shape[0] // factor * factor, image.shape[1] // factor * factor
    blocks = image[:h, :w].astype(np.float64).reshape(h // factor, factor, w // factor,
                                                      factor, 3)
    return blocks.mean(axis=(1, 3))


def compare(image: np.ndarray, reference: np.ndarray) -> float:
    """Mean absolute difference between a full picture and a (shrunk) reference."""
    small = shrink(image)
    if small.shape != reference.shape:
        return float("inf")
    return float(np.abs(small - reference.astype(np.float64)).mean())


def reference_path(case: str) -> str:
    return os.path.join(REFERENCE, f"{case}.png")
