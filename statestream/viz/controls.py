"""Mouse and keyboard: camera, dragging, item menus, the settings form, hotkeys."""
from __future__ import annotations

from statestream.errors import UserError
from statestream.viz.subwindows import MODES
from statestream.viz.widgets import Form, Menu

HOTKEYS = [
    ("space", "stream / pause the session"), ("n", "compute one frame"),
    ("f", "fit the graph into the window"), ("+ / -, wheel", "zoom"),
    ("arrows, drag empty space", "pan"), ("right click an item", "its menu: open, edit"),
    ("1 2 3 4", "show / hide NPs, SPs, plasticities, interfaces"),
    ("r", "rollout view on / off"), ("v", "meta-variable list on / off"),
    ("c", "connections on / off"), ("t", "names on / off"), ("p", "profiling overlay"),
    ("l", "force layout on / off"), ("m", "minimap on / off"), ("g", "manipulation log"),
    ("w", "watchdog on / off (clears its highlights)"), ("ctrl+s", "save the layout"),
    ("?", "this list"), ("esc", "close the menu, form or list; esc twice: quit"),
    ("q", "quit the GUI (the session goes on)"),
]
KIND_KEYS = {"1": "np", "2": "sp", "3": "plast", "4": "if"}


class Controls:
    def __init__(self, app):
        self.app = app
        self.mouse = (0, 0)
        self._drag = None  # ("pan"|"items"|"window"|"slider", data, last position)

    def help_lines(self) -> list:
        return [f"{key:26s} {what}" for key, what in HOTKEYS]

    def dragging_items(self) -> set:
        return set(self._drag[1]) if self._drag and self._drag[0] == "items" else set()

    def handle(self, event) -> None:
        pygame = self.app.pygame
        try:
            if event.type == pygame.QUIT:
                self.app.running = False
            elif event.type == pygame.VIDEORESIZE:
                self.app.screen = pygame.display.set_mode(event.size, pygame.RESIZABLE)
            elif event.type == pygame.MOUSEMOTION:
                self._motion(event.pos)
            elif event.type == pygame.MOUSEBUTTONDOWN:
                self._press(event.pos, event.button)
            elif event.type == pygame.MOUSEBUTTONUP:
                self._release(event.pos)
            elif event.type == pygame.MOUSEWHEEL:
                self.app.view.camera.zoom_at(self.mouse, 1.15 ** event.y)
            elif event.type == pygame.KEYDOWN:
                self._key(event)
        except UserError as exc:
            self.app.link.message = f"error: {exc}"

    # -- mouse ---------------------------------------------------------------------------------
    def _motion(self, pos) -> None:
        last, self.mouse = self.mouse, pos
        app = self.app
        if self._drag:
            kind, data, _ = self._drag
            dx, dy = pos[0] - last[0], pos[1] - last[1]
            if kind == "pan":
                app.view.camera.pan(dx, dy)
            elif kind == "items":
                zoom = app.view.camera.zoom
                for name in data:
                    x, y = app.view.positions[name]
                    app.view.positions[name] = (x + dx / zoom, y + dy / zoom)
            elif kind == "window":
                data.rect[0] += dx
                data.rect[1] += dy
            elif kind == "slider":
                self._slider(pos)
            return
        app.hover = None if self._window_at(pos) else app.view.item_at(pos)

    def _press(self, pos, button) -> None:
        app = self.app
        self.mouse = pos
        if button in (4, 5):  # old-style wheel
            app.view.camera.zoom_at(pos, 1.15 if button == 4 else 1 / 1.15)
            return
        if app.form and app.form.click(pos):
            return
        if app.menu:
            action, app.menu = app.menu.click(pos), None
            if action:
                action()
            return
        for label, action, (x, y, w, h) in app.top_buttons():
            if x <= pos[0] < x + w and y <= pos[1] < y + h:
                return self.do(action)
        window = self._window_at(pos)
        if window is not None:
            return self._press_window(window, pos)
        clicked = app.show_mvs and app.metas.list_click(pos, app.font)
        if clicked:
            app.open_window(*clicked)
            return
        if _inside(pos, (10, 86, 180, 20)):
            self._drag = ("slider", None, pos)
            return self._slider(pos)
        if app.show_minimap and app.view.minimap_click(pos, app.screen.get_size()):
            return
        item = app.view.item_at(pos)
        if button == 3 and item:
            app.menu = Menu(item, self.menu_entries(item), (pos[0] + 4, pos[1] + 4))
        elif button == 1 and item:
            mods = app.pygame.key.get_mods()
            if mods & app.pygame.KMOD_SHIFT:
                app.view.selection ^= {item}
            elif item not in app.view.selection:
                app.view.selection = {item}
            self._drag = ("items", sorted(app.view.selection), pos)
        elif button == 1:
            app.view.selection = set()
            self._drag = ("pan", None, pos)

    def _press_window(self, window, pos) -> None:
        app = self.app
        app.windows.remove(window)
        app.windows.append(window)  # to the front
        action = window.click(pos)
        if action == "close":
            app.windows.remove(window)
        elif action == "drag":
            self._drag = ("window", window, pos)

    def _release(self, pos) -> None:
        if self._drag and self._drag[0] == "slider":
            self._slider(pos)
            self.app.link.command(f"delay {self.app.link.delay_ms:g}")
        self._drag = None

    def _slider(self, pos) -> None:
        from statestream.viz.app import SLIDER, SLIDER_MAX_MS

        x, _, length = SLIDER
        fraction = min(max((pos[0] - x) / length, 0.0), 1.0)
        self.app.link.delay_ms = round(fraction * SLIDER_MAX_MS)

    def _window_at(self, pos):
        for window in reversed(self.app.windows):
            if window.contains(pos):
                return window
        return None

    # -- menus ---------------------------------------------------------------------------------
    def menu_entries(self, item: str) -> list:
        """(label, action) of an item's menu: its arrays in every mode, editing, modes."""
        app = self.app
        names = [n for n in app.link.readable
                 if n == item or n.startswith(item + "/")]
        entries = []
        for name in names:
            label = "state" if name == item else name.split("/", 1)[1]
            entries.append((f"show {label}", _bind(app.open_window, name, "maps")))
            for mode in MODES[1:]:
                entries.append((f"   as {mode}", _bind(app.open_window, name, mode)))
        if item in app.link.session.items:
            entries.append(("edit settings...", _bind(self.open_form, item)))
            for word in ("pause", "resume", "off"):
                entries.append((f"{word} {item}",
                                _bind(app.link.command, f"{word} {item}")))
        return entries or [("(nothing to show)", None)]

    def open_form(self, item: str) -> None:
        app = self.app
        reply = app.link.command(f"settings {item}")
        rows = []
        for line in reply.splitlines():
            if " = " in line:
                name = line.split(" = ")[0].split(".", 1)[1]
                rows.append((name, line.split(" = ", 1)[1], f"set {item} {name} {{value}}"))
        for word in ("period", "offset"):
            rows.append((word, "(whole number)", f"{word} {item} {{value}}"))
        app.form = Form(item, rows, app.link.command, (self.mouse[0] + 8, self.mouse[1] + 8))

    # -- keys ----------------------------------------------------------------------------------
    def _key(self, event) -> None:
        app, pygame = self.app, self.app.pygame
        name = pygame.key.name(event.key)
        if app.form:
            if not app.form.key(name, getattr(event, "unicode", "")):
                app.form = None
            return
        if name == "escape":
            if app.menu or app.show_help:
                app.menu, app.show_help = None, False
            else:
                app.running = False if getattr(self, "_escaped", False) else app.running
                self._escaped = True
            return
        self._escaped = False
        char = getattr(event, "unicode", "")
        if name == "s" and event.mod & pygame.KMOD_CTRL:
            app.save_layout()
            app.link.message = "layout saved"
            return
        actions = {"space": "toggle_stream", "n": "step", "f": "fit", "c": "connections",
                   "t": "names", "p": "profile", "l": "force", "m": "minimap", "g": "log",
                   "w": "watchdog", "q": "quit", "r": "rollout", "v": "mvs"}
        if char == "?":
            return self.do("help")
        if char in KIND_KEYS:
            return self.do(f"kind_{KIND_KEYS[char]}")
        if char in ("+", "="):
            return app.view.camera.zoom_at(self.mouse, 1.2)
        if char == "-":
            return app.view.camera.zoom_at(self.mouse, 1 / 1.2)
        pans = {"left": (40, 0), "right": (-40, 0), "up": (0, 40), "down": (0, -40)}
        if name in pans:
            return app.view.camera.pan(*pans[name])
        if name in actions:
            self.do(actions[name])

    def do(self, action: str) -> None:
        """One action of the top bar or a hotkey."""
        app = self.app
        if action == "toggle_stream":
            app.link.command("pause" if app.link.session.streaming else "stream")
        elif action == "step":
            app.link.command("step 1")
        elif action.startswith("kind_"):
            app.view.shown_kinds ^= {action[5:]}
        elif action == "connections":
            app.view.show_connections = not app.view.show_connections
        elif action == "names":
            app.view.show_names = not app.view.show_names
        elif action == "fit":
            app.view.fit(app.graph_area())
        elif action == "watchdog":
            app.watchdog.enabled = not app.watchdog.enabled
            app.watchdog.reset()
            app.view.highlights = set()
            app.link.message = f"watchdog {'on' if app.watchdog.enabled else 'off'}"
        elif action == "rollout":
            app.toggle_rollout()
        elif action == "quit":
            app.running = False
        else:
            attr = {"profile": "show_profile", "force": "force", "log": "show_log",
                    "help": "show_help", "minimap": "show_minimap", "mvs": "show_mvs"}[action]
            setattr(app, attr, not getattr(app, attr))


def _bind(function, *args):
    return lambda: function(*args)


def _inside(pos, rect) -> bool:
    return rect[0] <= pos[0] < rect[0] + rect[2] and rect[1] <= pos[1] < rect[1] + rect[3]
