"""Meta-variables in the GUI: sub-windows named ``mv/NAME`` fed through the session API
(``metavariables()`` once per drawn frame while one is shown, ``metavariable(name, N)``
only for a meta-variable whose last frame changed, N = the values not seen yet), and the
list on the side (click plot or map to open one)."""
from __future__ import annotations

from statestream.errors import UserError
from statestream.viz import colours
from statestream.viz import widgets as W
from statestream.viz.subwindows.base import HISTORY

PREFIX = "mv/"
LIST_POS = (0, 118)  # below the timing block
LIST_W = 200
LIST_POLL_S = 1.0


def is_mv(source: str) -> bool:
    return source.startswith(PREFIX)


class MetaFeed:
    def __init__(self, link):
        self.link = link
        self.infos: dict = {}  # name -> the dict of session.metavariables()
        self.calls = 0         # metavariable() calls made (tests count them)
        self._refreshed = -1e9

    def refresh(self, now: float = 0.0) -> None:
        self._refreshed = now
        try:
            self.infos = {i["name"]: i for i in self.link.session.metavariables()}
        except (UserError, OSError) as exc:
            self.link.message = f"error: {exc}"

    def update(self, windows: list, now: float, listed: bool) -> None:
        """Feed the meta-variable windows with every value computed since their last."""
        groups: dict = {}
        for window in windows:
            if is_mv(window.source):
                groups.setdefault(window.source[len(PREFIX):], []).append(window)
        if groups or (listed and now - self._refreshed >= LIST_POLL_S):
            self.refresh(now)
        for name, group in groups.items():
            info = self.infos.get(name)
            if info is None or info["error"]:
                for window in group:
                    window.error = info["error"] if info else f"no meta-variable {name!r}"
                continue
            stale = [w for w in group if w.mv_last != info["last_frame"]]
            if info["last_frame"] is None or not stale:
                continue
            wanted = max(info["computed"] - w.mv_computed for w in stale)
            frames, values = self._values(name, min(max(wanted, 1), HISTORY,
                                                    info["definition"].get("history", 256)))
            for window in stale:
                newest = window.history[-1][0] if window.history else -1
                for frame, value in zip(frames, values):
                    if frame > newest:
                        window.feed(int(frame), {window.source: value})
                window.mv_last, window.mv_computed = info["last_frame"], info["computed"]

    def _values(self, name: str, count: int) -> tuple:
        self.calls += 1
        try:
            return self.link.session.metavariable(name, frames=count)
        except UserError:  # too many values for one reply: the last one
            self.calls += 1
            return self.link.session.metavariable(name, frames=1)

    def definitions(self) -> list:
        return [{"name": n, "definition": i["definition"]} for n, i in self.infos.items()]

    # -- the list on the side -------------------------------------------------------------------
    def rows(self, font) -> list:
        """[(name, line, plot button rect, map button rect)] of the side list."""
        out = []
        x, y = LIST_POS
        for k, (name, info) in enumerate(sorted(self.infos.items())):
            ry = y + 22 + k * W.ROW
            shape = "x".join(str(d) for d in info["shape"])
            line = f"{name} [{shape}]" if not info["error"] else f"{name} (error)"
            out.append((name, line, (x + LIST_W - 64, ry, 30, W.ROW - 2),
                        (x + LIST_W - 32, ry, 28, W.ROW - 2)))
        return out

    def draw_list(self, pygame, screen, font) -> None:
        if not self.infos:
            return
        rows = self.rows(font)
        x, y = LIST_POS
        W.panel(pygame, screen, (x, y, LIST_W, 26 + len(rows) * W.ROW))
        W.text(screen, font, "meta-variables", (x + 6, y + 4), colours.HIGHLIGHT)
        clip = screen.get_clip()
        for name, line, plot, maps in rows:
            screen.set_clip(pygame.Rect(x, plot[1], LIST_W - 66, W.ROW))
            W.text(screen, font, line, (x + 6, plot[1] + 2),
                   colours.ERROR_TEXT if self.infos[name]["error"] else colours.TEXT)
            screen.set_clip(clip)
            for rect, label in ((plot, "plot"), (maps, "map")):
                pygame.draw.rect(screen, colours.PANEL_EDGE, rect)
                W.text(screen, font, label, (rect[0] + 2, rect[1] + 2), colours.TEXT)

    def list_click(self, pos, font) -> tuple | None:
        """(source, mode) of a clicked list button, or None."""
        for name, _, plot, maps in self.rows(font):
            for rect, mode in ((plot, "plot"), (maps, "maps")):
                if rect[0] <= pos[0] < rect[0] + rect[2] and rect[1] <= pos[1] < rect[1] + rect[3]:
                    return PREFIX + name, mode
        return None
