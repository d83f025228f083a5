"""The GUI application: one window attached to a session; ``App.tick`` handles events,
reads what is shown (one consistent read), and draws one frame at a limited rate."""
from __future__ import annotations

import io
import time

from statestream.errors import UserError
from statestream.viz import colours, persist, require_pygame
from statestream.viz import widgets as W
from statestream.viz.controls import Controls
from statestream.viz.graph_view import GraphView
from statestream.viz.layout import force_step
from statestream.viz.link import SessionLink
from statestream.viz.metavars import MetaFeed, is_mv
from statestream.viz.subwindows import MODES, SubWindow
from statestream.viz.subwindows.rollout import RolloutWindow
from statestream.viz.watchdog import Watchdog

TOP_BAR_H = 34
TIMING_RECT = (0, 0, 200, 112)
SLIDER = (20, 96, 160)       # x, y, length of the delay slider
SLIDER_MAX_MS = 200.0


class App:
    def __init__(self, session, size=(1280, 800), fps: float = 30.0, restore: bool = True,
                 save: bool = True, pause_on_nan: bool = True):
        self.pygame = pygame = require_pygame()
        pygame.display.init()
        pygame.font.init()
        self.screen = pygame.display.set_mode(size, pygame.RESIZABLE)
        pygame.display.set_caption(f"statestream: {session.graph.name} ({session.id})")
        self.font = pygame.font.Font(None, 18)
        self.clock = pygame.time.Clock()
        self.fps, self.save_on_exit = fps, save
        self.link = SessionLink(session)
        self.metas = MetaFeed(self.link)
        self.show_mvs = True
        self.graph = session.graph
        self.view = GraphView(self.graph)
        self.windows: list = []
        self.watchdog = Watchdog(self.view.upstream_pools(), pause_on_nan)
        self.force = False
        self.show_minimap = True
        self.show_profile = False
        self.show_log = False
        self.show_help = False
        self.log_text = ""
        self.menu = None
        self.form = None
        self.hover = None
        self.gui_fps = 0.0
        self.running = True
        self._drawn = (None, 0.0)  # (frame, time) of the last drawn picture
        self.controls = Controls(self)
        self.view.fit(self.graph_area())
        if restore:
            self.restore(persist.load_layout(self.graph.name))

    # -- windows ---------------------------------------------------------------------------------
    def open_window(self, source: str, mode: str = "maps", other: str | None = None,
                    rect=None) -> SubWindow:
        if source == "rollout" and source not in self.link.readable:
            return self.open_rollout(rect=rect)
        if is_mv(source) and source not in self.link.readable:
            return self._open_mv(source, mode, rect)
        if source not in self.link.readable:
            raise UserError(f"nothing called {source!r} to show (a neuron-pool, "
                            "item/parameter or interface/variable)")
        if other is not None and other not in self.link.readable:
            raise UserError(f"nothing called {other!r} to show")
        if mode not in MODES:
            raise UserError(f"unknown mode {mode!r} (modes: {', '.join(MODES)})")
        if rect is None:
            rect = self._free_rect()
        window = SubWindow(source, mode, rect, other=other,
                           has_agents=self.link.has_agents(source))
        self.windows.append(window)
        return window

    def _open_mv(self, source: str, mode: str, rect) -> SubWindow:
        if source[3:] not in self.metas.infos:
            self.metas.refresh()
        if source[3:] not in self.metas.infos:
            raise UserError(f"no meta-variable {source[3:]!r} (mv list)")
        if mode not in MODES:
            raise UserError(f"unknown mode {mode!r} (modes: {', '.join(MODES)})")
        window = SubWindow(source, mode, rect or self._free_rect(), has_agents=False)
        self.windows.append(window)
        return window

    def open_rollout(self, select=None, rect=None, frames=None) -> RolloutWindow:
        """The rollout view (``select``: (NP, column) whose path is highlighted)."""
        if rect is None:
            w, h = self.screen.get_size()
            rect = (210, TOP_BAR_H + 8, max(min(w - 220, 820), 300),
                    max(min(h - TOP_BAR_H - 60, 460), 200))
        window = RolloutWindow(self.graph, rect, frames, select)
        self.windows.append(window)
        return window

    def toggle_rollout(self) -> None:
        shown = [w for w in self.windows if isinstance(w, RolloutWindow)]
        for window in shown:
            self.windows.remove(window)
        if not shown:
            self.open_rollout()

    def _free_rect(self) -> tuple:
        """The next cell of a grid filling from the top right, right to left, then down."""
        w, h = self.screen.get_size()
        width = max(min(300, (w - 200) // 3 - 8), 160)
        height = max(min(250, (h - TOP_BAR_H) // 3 - 8), 120)
        cols = max((w - 200) // (width + 8), 1)
        rows = max((h - TOP_BAR_H - 8) // (height + 8), 1)
        k = len(self.windows)
        cascade = 24 * (k // (cols * rows))
        x = w - (k % cols + 1) * (width + 8) + cascade
        y = TOP_BAR_H + 8 + (k // cols % rows) * (height + 8) + cascade
        return (max(min(x, w - width), 0), max(min(y, h - height), 0), width, height)

    def graph_area(self) -> tuple:
        """The screen part for the graph: below the sub-windows when there is room,
        else left of them, else everything right of the timing block."""
        w, h = self.screen.get_size()
        area = (200, TOP_BAR_H, max(w - 200, 50), max(h - TOP_BAR_H - 20, 50))
        if self.windows:
            bottom = max(win.rect[1] + win.rect[3] for win in self.windows)
            left = min(win.rect[0] for win in self.windows)
            if h - 20 - bottom >= 160:
                return (200, bottom, w - 200, h - 20 - bottom)
            if left - 200 >= 200:
                return (200, TOP_BAR_H, left - 200, h - TOP_BAR_H - 20)
        return area

    # -- one frame -------------------------------------------------------------------------------
    def tick(self) -> bool:
        """Handle events, read, draw; False once the GUI should close."""
        pygame = self.pygame
        events = pygame.event.get()
        for event in events:
            self.controls.handle(event)
        now = time.monotonic()
        self.link.want_profile = self.show_profile or self.hover is not None
        self.link.poll(now)
        if self.show_log and int(now) != getattr(self, "_log_second", None):
            self._log_second = int(now)
            self.log_text = self.link.command("log")
        frame = self.link.frame()
        idle = (not events and not self.force and frame == self._drawn[0]
                and now - self._drawn[1] < 1)
        if not idle:  # nothing new: no read, no drawing
            self.update_data(now)
            if self.force:
                force_step(self.view.positions, self.view.pairs, self.controls.dragging_items())
            self.draw()
            pygame.display.flip()
            self._drawn = (frame, now)
        self.clock.tick(self.fps)
        self.gui_fps = self.clock.get_fps()
        if self.link.ended:
            self.running = False
        return self.running

    def update_data(self, now: float) -> None:
        """ONE consistent read of everything shown (and of the states when the watchdog
        is due), handed to the sub-windows and the watchdog."""
        self.metas.update(self.windows, now, self.show_mvs)
        names = {n for w in self.windows if not is_mv(w.source) for n in w.names()}
        check = self.watchdog.due(now, self.link.frame(), self.link.session.streaming)
        if check:
            names |= set(self.watchdog.pools)
        frame, arrays = self.link.read(names)
        if not arrays:
            return
        for window in self.windows:
            if not is_mv(window.source):
                window.feed(frame, arrays)
        if check:
            self.watchdog.check(now, frame, arrays)
            if self.watchdog.first and not self.view.highlights:
                self.view.highlights = set(self.watchdog.first[1])
                if self.watchdog.pause_on_bad:
                    self.link.command("pause")
                self.link.message = (f"watchdog: NaN/Inf first seen at frame "
                                     f"{self.watchdog.first[0]} in "
                                     f"{', '.join(self.watchdog.first[1])}")

    # -- drawing ---------------------------------------------------------------------------------
    def draw(self) -> None:
        pygame, screen, font = self.pygame, self.screen, self.font
        screen.fill(colours.BACKGROUND)
        self.view.draw(pygame, screen, font, self.hover,
                       self.link.profile if self.show_profile else None)
        for window in self.windows:
            window.draw(pygame, screen, font)
        self._draw_top_bar()
        self._draw_timing()
        if self.show_mvs:
            self.metas.draw_list(pygame, screen, font)
        if self.show_minimap:
            self.view.draw_minimap(pygame, screen)
        w, h = screen.get_size()
        if self.hover and not self.menu and not self.form:
            W.text_panel(pygame, screen, font, self.hover_lines(self.hover),
                         (self.controls.mouse[0] + 16, self.controls.mouse[1] + 16),
                         self.hover)
        if self.show_profile and self.link.profile:
            W.text_panel(pygame, screen, font, [f"{k}: {v:.3f} ms" for k, v in
                                                self.link.profile.items()],
                         (w - 220, TOP_BAR_H + 4), "compute per frame")
        if self.show_log:
            W.text_panel(pygame, screen, font, self.log_text.splitlines()[-25:],
                         (w - 420, h - 200), "manipulation log")
        if self.menu:
            self.menu.draw(pygame, screen, font)
        if self.form:
            self.form.draw(pygame, screen, font)
        if self.show_help:
            W.text_panel(pygame, screen, font, self.controls.help_lines(), (220, 60),
                         "hotkeys (? closes)", max_rows=40)
        status = self.link.message.splitlines()[0] if self.link.message else ""
        W.text(screen, font, status[:160], (8 + (180 if self.show_minimap else 0), h - 18),
               colours.ERROR_TEXT if status.startswith(("error", "watchdog")) else
               colours.DIM_TEXT)

    def top_buttons(self) -> list:
        """[(label, action, rect)] of the top bar."""
        streaming = self.link.session.streaming
        entries = [("pause" if streaming else "stream", "toggle_stream"), ("step", "step")]
        entries += [(("" if k in self.view.shown_kinds else "-") + k.upper(), f"kind_{k}")
                    for k in ("np", "sp", "plast", "if")]
        entries += [("rollout", "rollout"), ("mv", "mvs")]
        entries += [("connections", "connections"), ("names", "names"),
                    ("profile", "profile"), ("force", "force"), ("fit", "fit"),
                    ("log", "log"), ("?", "help")]
        out, x = [], 210
        for label, action in entries:
            width = self.font.size(label)[0] + 12
            out.append((label, action, (x, 6, width, 22)))
            x += width + 4
        return out

    def _draw_top_bar(self) -> None:
        pygame, screen = self.pygame, self.screen
        pygame.draw.rect(screen, colours.PANEL, (200, 0, screen.get_width() - 200, TOP_BAR_H))
        toggled = {"connections": self.view.show_connections, "names": self.view.show_names,
                   "profile": self.show_profile, "force": self.force, "log": self.show_log,
                   "help": self.show_help, "mvs": self.show_mvs,
                   "rollout": any(isinstance(w, RolloutWindow) for w in self.windows)}
        for label, action, rect in self.top_buttons():
            on = toggled.get(action, True) and not label.startswith("-")
            pygame.draw.rect(screen, colours.PANEL_EDGE if on else colours.BACKGROUND, rect)
            W.text(screen, self.font, label, (rect[0] + 6, rect[1] + 5),
                   colours.TEXT if on else colours.DIM_TEXT)

    def _draw_timing(self) -> None:
        pygame, screen, font = self.pygame, self.screen, self.font
        W.panel(pygame, screen, TIMING_RECT)
        mode = "streaming" if self.link.session.streaming else "paused"
        lines = [f"network {self.link.network_fps():7.1f} frames/s",
                 f"gui {self.gui_fps:5.1f} fps", f"frame {self.link.frame()}  {mode}",
                 f"delay {self.link.delay_ms:g} ms"]
        for k, line in enumerate(lines):
            W.text(screen, font, line, (10, 8 + 18 * k))
        x, y, length = SLIDER
        pygame.draw.line(screen, colours.DIM_TEXT, (x, y), (x + length, y), 2)
        knob = x + min(self.link.delay_ms, SLIDER_MAX_MS) / SLIDER_MAX_MS * length
        pygame.draw.circle(screen, colours.HIGHLIGHT, (round(knob), y), 6)

    def hover_lines(self, name: str) -> list:
        item = self.view.items[name]
        spec = item.spec
        lines = [f"kind {item.kind}"]
        if item.kind == "np":
            shape = self.graph.np_state_shape(name)
            lines.append("shape [" + ", ".join(str(d) for d in shape) + "]")
        lines.append(f"period {getattr(spec, 'period', 1)}  offset "
                     f"{getattr(spec, 'period_offset', 0)}")
        lines.append(f"device {getattr(spec, 'device', 'cpu')}")
        if name in self.link.profile:
            lines.append(f"compute {self.link.profile[name]:.3f} ms per frame")
        if item.edges_in:
            lines.append("from " + ", ".join(item.edges_in)[:80])
        return lines

    # -- layouts ---------------------------------------------------------------------------------
    def layout_data(self) -> dict:
        return {"positions": {k: list(v) for k, v in self.view.positions.items()},
                "camera": self.view.camera.to_dict(),
                "windows": [w.to_dict() for w in self.windows],
                "kinds": sorted(self.view.shown_kinds),
                "connections": self.view.show_connections, "names": self.view.show_names,
                "force": self.force, "minimap": self.show_minimap,
                "metavariables": self.metas.definitions()}

    def restore(self, data) -> None:
        """Apply a saved layout; whatever does not fit this graph is skipped."""
        from statestream.viz.camera import Camera

        if not data:
            return
        for name, pos in dict(data.get("positions", {})).items():
            if name in self.view.positions and len(pos) == 2:
                self.view.positions[name] = (float(pos[0]), float(pos[1]))
        self.view.camera = Camera.from_dict(data.get("camera", {}))
        self.view.shown_kinds = set(data.get("kinds", self.view.shown_kinds)) & set(
            self.view.shown_kinds)
        self.view.show_connections = bool(data.get("connections", True))
        self.view.show_names = bool(data.get("names", True))
        self.force, self.show_minimap = bool(data.get("force")), bool(data.get("minimap", 1))
        self._restore_metavariables(data.get("metavariables", []))
        for entry in data.get("windows", []):
            try:
                if entry.get("source") == "rollout" and "rollout" not in self.link.readable:
                    self.open_rollout(entry.get("select"), entry.get("rect"), entry.get("frames"))
                    continue
                window = self.open_window(entry["source"], entry.get("mode", "maps"),
                                          entry.get("other"), entry.get("rect"))
                window.agent = int(entry.get("agent", 0))
                window.range_mode = entry.get("range", "window")
                window.fixed = tuple(float(v) for v in entry.get("fixed", (-1, 1)))[:2]
            except (UserError, KeyError, TypeError, ValueError):
                continue

    def _restore_metavariables(self, entries) -> None:
        """Add the saved meta-variables the session lacks (skipping what does not fit)."""
        self.metas.refresh()
        for entry in entries if isinstance(entries, list) else []:
            try:
                if entry["name"] not in self.metas.infos:
                    self.link.session.add_metavariable(entry["name"], **entry["definition"])
            except (UserError, KeyError, TypeError) as exc:
                self.link.message = f"error: layout meta-variable: {exc}"
        self.metas.refresh()

    def save_layout(self) -> None:
        try:
            persist.save_layout(self.graph.name, self.layout_data())
        except (UserError, OSError) as exc:
            self.link.message = f"error: {exc}"

    # -- running ---------------------------------------------------------------------------------
    def run(self) -> None:
        try:
            while self.tick():
                pass
        finally:
            self.close()

    def screenshot(self, path: str, frames: int = 1, timeout: float = 60.0) -> None:
        """Render after ``frames`` more frames (stepping a paused session, waiting for a
        streaming one), then write a PNG atomically."""
        from statestream.fileio import atomic_open

        session = self.link.session
        target = session.frame + frames
        deadline = time.monotonic() + timeout
        while session.frame < target:
            if not session.streaming:
                session.step(1, timeout=timeout)
            elif time.monotonic() > deadline:
                raise UserError(f"frame {target} not reached in {timeout:g} s")
            self.tick()
        self.tick()
        self.tick()
        buffer = io.BytesIO()
        self.pygame.image.save(self.screen, buffer, "png")
        with atomic_open(path, "wb", what="screenshot") as handle:
            handle.write(buffer.getvalue())

    def close(self) -> None:
        """Save the layout and close the window (the session goes on); idempotent."""
        if getattr(self, "_closed", False):
            return
        self._closed = True
        if self.save_on_exit:
            self.save_layout()
        self.pygame.display.quit()
