"""A sub-window: title bar (mode, colour range, agent, close) and a content area drawn by
one mode module. Anything that goes wrong while drawing is written inside the window."""
from __future__ import annotations

from collections import deque

import numpy as np

from statestream.viz import colours

MODES = ("maps", "histogram", "plot", "scatter", "rgb")
RANGES = ("window", "tile", "fixed", "symmetric")
TITLE_H = 20
HISTORY = 120  # frames kept for plot and scatter


class SubWindow:
    def __init__(self, source: str, mode: str = "maps", rect=(220, 120, 280, 240),
                 agent: int = 0, range_mode: str = "window", other: str | None = None,
                 has_agents: bool = True, fixed=(-1.0, 1.0)):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        if range_mode not in RANGES:
            raise ValueError(f"range must be one of {', '.join(RANGES)}, got {range_mode!r}")
        self.source, self.mode, self.other = source, mode, other
        self.rect = [int(v) for v in rect]
        self.agent, self.range_mode, self.has_agents = int(agent), range_mode, has_agents
        self.fixed = (float(fixed[0]), float(fixed[1]))
        self.history: deque = deque(maxlen=HISTORY)  # (frame, array of the agent)
        self.current = None   # the shown agent's array of the last frame
        self.other_value = None
        self.agents = 1
        self.bad = 0          # NaN/Inf count drawn
        self.error = None
        self.flat = source.startswith("mv/")  # meta-variable: plot every value as a curve
        self.mv_last, self.mv_computed = None, 0  # what the GUI has fetched of it

    # -- data ---------------------------------------------------------------------------------
    def names(self) -> list:
        return [self.source] + ([self.other] if self.other else [])

    def feed(self, frame: int, arrays: dict) -> None:
        """Take this window's arrays of one consistent frame (only the shown agent is kept)."""
        try:
            self.current = self._agent_of(arrays[self.source])
            self.other_value = self._agent_of(arrays[self.other]) if self.other else None
            if not self.history or self.history[-1][0] != frame:
                self.history.append((frame, self.current))
            self.error = None
        except Exception as exc:  # noqa: BLE001 - shown in the window
            self.error = f"{type(exc).__name__}: {exc}"

    def _agent_of(self, array: np.ndarray) -> np.ndarray:
        if not self.has_agents or array.ndim == 0:
            self.agents = 1
            return array
        self.agents = array.shape[0]
        self.agent = min(max(self.agent, 0), self.agents - 1)
        return array[self.agent]

    # -- controls ------------------------------------------------------------------------------
    def buttons(self) -> dict:
        """{action: (x, y, w, h)} of the title bar's buttons, right to left."""
        x, y, w, _ = self.rect
        out, right = {}, x + w
        wide = w >= 260
        for action, width in (("close", 18), ("next_agent", 16), ("prev_agent", 16),
                              ("range", 58 if wide else 30), ("mode", 72 if wide else 34)):
            right -= width + 2
            out[action] = (right, y + 1, width, TITLE_H - 2)
        return out

    def click(self, pos) -> str | None:
        """Handle a click at ``pos``; returns the action taken ('close', 'drag', ...)."""
        for action, (bx, by, bw, bh) in self.buttons().items():
            if bx <= pos[0] < bx + bw and by <= pos[1] < by + bh:
                self.act(action)
                return action
        x, y, w, _ = self.rect
        return "drag" if x <= pos[0] < x + w and y <= pos[1] < y + TITLE_H else None

    def act(self, action: str) -> None:
        if action == "mode":
            self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        elif action == "range":
            if self.range_mode == "window" and self.current is not None:
                self.fixed = finite_range(self.current)
            self.range_mode = RANGES[(RANGES.index(self.range_mode) + 1) % len(RANGES)]
        elif action == "next_agent":
            self.agent = (self.agent + 1) % max(self.agents, 1)
        elif action == "prev_agent":
            self.agent = (self.agent - 1) % max(self.agents, 1)

    def contains(self, pos) -> bool:
        x, y, w, h = self.rect
        return x <= pos[0] < x + w and y <= pos[1] < y + h

    # -- drawing -------------------------------------------------------------------------------
    def draw(self, pygame, screen, font) -> None:
        x, y, w, h = self.rect
        pygame.draw.rect(screen, colours.PANEL, self.rect)
        pygame.draw.rect(screen, colours.PANEL_EDGE, self.rect, 1)
        area = pygame.Rect(x + 4, y + TITLE_H + 2, w - 8, h - TITLE_H - 20)
        self.bad = 0
        previous_clip = screen.get_clip()
        screen.set_clip(pygame.Rect(self.rect))
        try:
            if self.error:
                raise RuntimeError(self.error)
            if self.current is None:
                _text(screen, font, "no data yet", area.topleft, colours.DIM_TEXT)
            else:
                self.bad = self._renderer()(self, pygame, screen, font, area)
        except Exception as exc:  # noqa: BLE001 - an error stays inside its window
            _wrap(screen, font, f"error: {type(exc).__name__}: {exc}"
                  if not isinstance(exc, RuntimeError) else f"error: {exc}", area,
                  colours.ERROR_TEXT)
        self._draw_title(pygame, screen, font)
        footer = f"{_shape(self.current)}"
        if self.bad:
            footer += f"   NaN/Inf: {self.bad}"
        _text(screen, font, footer, (x + 4, y + h - 16),
              colours.WARNING if self.bad else colours.DIM_TEXT)
        screen.set_clip(previous_clip)

    def _draw_title(self, pygame, screen, font) -> None:
        x, y, w, _ = self.rect
        pygame.draw.rect(screen, colours.PANEL_EDGE, (x, y, w, TITLE_H))
        agent = f" a{self.agent}" if self.has_agents and self.agents > 1 else ""
        title = f"{self.source}{' / ' + self.other if self.other else ''}{agent}"
        buttons = self.buttons()
        left = min(bx for bx, *_ in buttons.values())
        clip = screen.get_clip()
        screen.set_clip(pygame.Rect(x, y, max(left - x, 1), TITLE_H).clip(clip))
        _text(screen, font, title, (x + 4, y + 3), colours.TEXT)
        screen.set_clip(clip)
        cut = 9 if w >= 260 else 3
        labels = {"close": "x", "next_agent": ">", "prev_agent": "<",
                  "range": self.range_mode[:min(cut, 6)], "mode": self.mode[:cut]}
        for action, rect in buttons.items():
            pygame.draw.rect(screen, colours.PANEL, rect)
            _text(screen, font, labels[action], (rect[0] + 3, rect[1] + 2), colours.TEXT)

    def _renderer(self):
        from statestream.viz.subwindows import histogram, maps, plot, scatter

        return {"maps": maps.draw_maps, "rgb": maps.draw_rgb, "histogram": histogram.draw,
                "plot": plot.draw, "scatter": scatter.draw}[self.mode]

    def value_range(self, values: np.ndarray) -> tuple:
        """(low, high) of the colour range for ``values`` in this window's range mode."""
        if self.range_mode == "fixed":
            return self.fixed
        low, high = finite_range(values)
        if self.range_mode == "symmetric":
            top = max(abs(low), abs(high), 1e-12)
            return -top, top
        return low, high

    def to_dict(self) -> dict:
        return {"source": self.source, "mode": self.mode, "rect": self.rect,
                "agent": self.agent, "range": self.range_mode, "other": self.other,
                "fixed": list(self.fixed)}


def finite_range(values) -> tuple:
    values = np.asarray(values)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    return (low, high) if high > low else (low - 0.5, high + 0.5)


def as_tiles(array: np.ndarray) -> np.ndarray:
    """Any array as tiles [C, X, Y]: () -> [1,1,1], (C,) -> [C,1,1], (X, Y) -> [1,X,Y],
    (A, B, X, Y, ...) -> [A*B*..., X, Y]."""
    array = np.asarray(array)
    if array.ndim == 0:
        return array.reshape(1, 1, 1)
    if array.ndim == 1:
        return array.reshape(-1, 1, 1)
    if array.ndim == 2:
        return array[None]
    return array.reshape(-1, array.shape[-2], array.shape[-1])


def _shape(array) -> str:
    return "" if array is None else "shape [" + ", ".join(str(d) for d in np.shape(array)) + "]"


def _text(screen, font, text, pos, colour) -> None:
    screen.blit(colours.render_text(font, str(text), colour), pos)


def _wrap(screen, font, text, area, colour) -> None:
    """Write ``text`` into ``area`` broken into lines that fit."""
    words, line, y = str(text).split(), "", area.y
    for word in words:
        trial = f"{line} {word}".strip()
        if font.size(trial)[0] > area.w and line:
            _text(screen, font, line, (area.x, y), colour)
            line, y = word, y + font.get_linesize()
        else:
            line = trial
    if line:
        _text(screen, font, line, (area.x, y), colour)
