"""The rollout view as a GUI window: NPs as rows, frames as columns (statestream.rollout).

Cells an input can have reached are green, a triangle per input marks the first frame it
reaches each NP, a click on a cell highlights its dependency path (click it again to
clear). The window reads every NP with the GUI's one read per drawn frame and colours the
cells with the mean state of the last frames (column c: the c-th of them)."""
from __future__ import annotations

from collections import deque

import numpy as np

from statestream.rollout import dependency_path, rollout_grid
from statestream.viz import colours
from statestream.viz.subwindows.base import TITLE_H, _text

MAX_COLUMNS = 24
REACHED = (52, 110, 70)
UNREACHED = (44, 50, 66)
PATH = (255, 150, 40)
HEADER_H = 16
LEGEND_H = 18


class RolloutWindow:
    source = "rollout"
    mode = "rollout"
    other = None

    def __init__(self, graph, rect, frames: int | None = None, select=None):
        self.grid = rollout_grid(graph, frames)
        if self.grid.frames > MAX_COLUMNS:
            self.grid = rollout_grid(graph, MAX_COLUMNS)
        self.rect = [int(v) for v in rect]
        self.activity: deque = deque(maxlen=self.grid.frames)  # (frame, {np: mean})
        self.selected, self.path, self.error = None, None, None
        if select is not None:
            self.select(*select)

    # -- data ---------------------------------------------------------------------------------
    def names(self) -> list:
        return list(self.grid.rows)

    def feed(self, frame: int, arrays: dict) -> None:
        if frame < 0 or (self.activity and self.activity[-1][0] == frame):
            return
        try:
            self.activity.append((frame, {n: float(np.mean(arrays[n])) for n in self.grid.rows}))
            self.error = None
        except Exception as exc:  # noqa: BLE001 - shown in the window
            self.error = f"{type(exc).__name__}: {exc}"

    def select(self, np_name: str, column: int) -> None:
        """Highlight the dependency path of a cell (UserError for a cell not in the view)."""
        self.path = dependency_path(self.grid, np_name, int(column))
        self.selected = (np_name, int(column))

    # -- geometry -----------------------------------------------------------------------------
    def _cells(self, font) -> tuple:
        """(x of the first column, y of the first row, cell width, cell height)."""
        x, y, w, h = self.rect
        label_w = min(max(font.size(n)[0] for n in self.grid.rows) + 12, w // 3)
        top = y + TITLE_H + HEADER_H + 2
        cell_w = (w - label_w - 8) / self.grid.frames
        cell_h = (h - TITLE_H - HEADER_H - LEGEND_H - 6) / len(self.grid.rows)
        return x + label_w, top, cell_w, cell_h

    def _close_rect(self) -> tuple:
        x, y, w, _ = self.rect
        return (x + w - 20, y + 1, 18, TITLE_H - 2)

    def contains(self, pos) -> bool:
        x, y, w, h = self.rect
        return x <= pos[0] < x + w and y <= pos[1] < y + h

    def click(self, pos) -> str | None:
        cx, cy, cw, ch = self._close_rect()
        if cx <= pos[0] < cx + cw and cy <= pos[1] < cy + ch:
            return "close"
        x, y, w, _ = self.rect
        if x <= pos[0] < x + w and y <= pos[1] < y + TITLE_H:
            return "drag"
        if not self._cell_geometry:
            return None
        left, top, cell_w, cell_h = self._cell_geometry
        column, row = int((pos[0] - left) // cell_w), int((pos[1] - top) // cell_h)
        if 0 <= column < self.grid.frames and 0 <= row < len(self.grid.rows):
            cell = (self.grid.rows[row], column)
            if cell == self.selected:
                self.selected = self.path = None
            else:
                self.select(*cell)
            return "select"
        return None

    _cell_geometry = None

    # -- drawing ------------------------------------------------------------------------------
    def draw(self, pygame, screen, font) -> None:
        x, y, w, h = self.rect
        pygame.draw.rect(screen, colours.PANEL, self.rect)
        pygame.draw.rect(screen, colours.PANEL_EDGE, self.rect, 1)
        clip = screen.get_clip()
        screen.set_clip(pygame.Rect(self.rect))
        try:
            self._draw_grid(pygame, screen, font)
        except Exception as exc:  # noqa: BLE001 - an error stays inside its window
            self.error = f"{type(exc).__name__}: {exc}"
        pygame.draw.rect(screen, colours.PANEL_EDGE, (x, y, w, TITLE_H))
        title = "rollout: NPs x frames"
        if self.selected:
            title += f"   selected {self.selected[0]}:{self.selected[1]}"
        _text(screen, font, title, (x + 4, y + 3), colours.TEXT)
        close = self._close_rect()
        pygame.draw.rect(screen, colours.PANEL, close)
        _text(screen, font, "x", (close[0] + 5, close[1] + 2), colours.TEXT)
        if self.error:
            _text(screen, font, f"error: {self.error}"[:90], (x + 4, y + h - 16),
                  colours.ERROR_TEXT)
        screen.set_clip(clip)

    def _draw_grid(self, pygame, screen, font) -> None:
        grid = self.grid
        left, top, cell_w, cell_h = self._cell_geometry = self._cells(font)
        means = self._column_means()
        finite = [v for column in means for v in column.values() if np.isfinite(v)]
        low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
        on_path = (self.path["back"] | self.path["forward"]) if self.path else set()
        start = self.activity[0][0] if self.activity else None
        for c in range(grid.frames):
            label = str(c if start is None else start + c)
            _text(screen, font, label, (left + c * cell_w + 2, top - HEADER_H), colours.DIM_TEXT)
        for r, name in enumerate(grid.rows):
            cy = top + r * cell_h
            first = grid.first[name]
            _text(screen, font, name, (self.rect[0] + 4, cy + cell_h / 2 - 6),
                  colours.TEXT if first is not None else colours.DIM_TEXT)
            for c in range(grid.frames):
                cell = pygame.Rect(round(left + c * cell_w + 1), round(cy + 1),
                                   max(round(cell_w) - 2, 1), max(round(cell_h) - 2, 1))
                value = means[c].get(name) if c < len(means) else None
                if value is not None:
                    rgb, _ = colours.colour_map(np.array([value]), low, high)
                    fill = tuple(int(v) for v in rgb[0])
                else:
                    fill = REACHED if grid.reached(name, c) else UNREACHED
                pygame.draw.rect(screen, fill, cell)
                if value is not None and grid.reached(name, c):
                    pygame.draw.rect(screen, REACHED, cell, 2)
                if (name, c) in on_path:
                    pygame.draw.rect(screen, PATH, cell, 2)
                if (name, c) == self.selected:
                    pygame.draw.rect(screen, colours.SELECTED, cell, 3)
            self._draw_marks(pygame, screen, name, left, cy, cell_w)
        if self.path:
            for (src, c0), (tgt, c1) in self.path["edges"]:
                a = (left + (c0 + 0.5) * cell_w, top + (grid.rows.index(src) + 0.5) * cell_h)
                b = (left + (c1 + 0.5) * cell_w, top + (grid.rows.index(tgt) + 0.5) * cell_h)
                pygame.draw.line(screen, PATH, a, b, 2)
        self._draw_legend(screen, font, low, high, bool(finite))

    def _draw_marks(self, pygame, screen, name, left, cy, cell_w) -> None:
        """A triangle per input at the first frame it reaches ``name``."""
        inputs = self.grid.inputs
        for k, source in enumerate(inputs):
            first = self.grid.first_from[name][source]
            if first is None or first >= self.grid.frames:
                continue
            mx = left + (first + 0.5) * cell_w + (k - (len(inputs) - 1) / 2) * 9
            points = [(mx - 4, cy + 3), (mx + 4, cy + 3), (mx, cy + 10)]
            pygame.draw.polygon(screen, colours.CURVES[k % len(colours.CURVES)], points)

    def _draw_legend(self, screen, font, low, high, shown) -> None:
        x, y, w, h = self.rect
        parts = [(f"v first from {s}", colours.CURVES[k % len(colours.CURVES)])
                 for k, s in enumerate(self.grid.inputs)]
        parts.append((f"mean state {low:.3g}..{high:.3g}" if shown else
                      "columns: frames after a stimulus", colours.DIM_TEXT))
        lx = x + 4
        for label, colour in parts:
            _text(screen, font, label, (lx, y + h - LEGEND_H + 2), colour)
            lx += font.size(label)[0] + 12

    def _column_means(self) -> list:
        return [means for _, means in self.activity]

    def to_dict(self) -> dict:
        return {"source": "rollout", "rect": self.rect, "frames": self.grid.frames,
                "select": list(self.selected) if self.selected else None}
