"""Small widgets: buttons of the top bar, text panels, a pop-up menu and a settings form."""
from __future__ import annotations

from statestream.viz import colours

ROW = 18


def text(screen, font, value, pos, colour=colours.TEXT) -> None:
    screen.blit(colours.render_text(font, str(value), colour), pos)


def panel(pygame, screen, rect) -> None:
    pygame.draw.rect(screen, colours.PANEL, rect)
    pygame.draw.rect(screen, colours.PANEL_EDGE, rect, 1)


def text_panel(pygame, screen, font, lines, pos, title=None, max_rows=30) -> tuple:
    """Lines of text in a panel at ``pos`` (clamped into the screen); returns its rect."""
    lines = ([title] if title else []) + [str(line)[:110] for line in lines][:max_rows]
    width = max([font.size(line)[0] for line in lines] + [60]) + 12
    height = len(lines) * ROW + 8
    sw, sh = screen.get_size()
    x, y = min(pos[0], max(sw - width, 0)), min(pos[1], max(sh - height, 0))
    panel(pygame, screen, (x, y, width, height))
    for k, line in enumerate(lines):
        colour = colours.HIGHLIGHT if title and k == 0 else (
            colours.ERROR_TEXT if line.startswith("error") else colours.TEXT)
        text(screen, font, line, (x + 6, y + 4 + k * ROW), colour)
    return (x, y, width, height)


class Menu:
    """A pop-up list of (label, action) entries at a screen position."""

    def __init__(self, title: str, entries: list, pos):
        self.title, self.entries, self.pos = title, entries, pos
        self.rect = None

    def entry_rect(self, label: str) -> tuple:
        """The screen rectangle of an entry (for clicks and tests)."""
        k = [lbl for lbl, _ in self.entries].index(label)
        x, y, w, _ = self.rect
        return (x, y + 4 + (k + 1) * ROW, w, ROW)

    def draw(self, pygame, screen, font) -> None:
        self.rect = text_panel(pygame, screen, font, [lbl for lbl, _ in self.entries],
                               self.pos, self.title, max_rows=60)

    def click(self, pos):
        """The action under ``pos`` (None outside the entries)."""
        if self.rect is None:
            return None
        for label, action in self.entries:
            x, y, w, h = self.entry_rect(label)
            if x <= pos[0] < x + w and y <= pos[1] < y + h:
                return action
        return None


class Form:
    """Edit scalar settings of one item: click a row (or Tab), type a value, Enter sends
    it through the session's checked command path; the reply is shown (errors in red)."""

    def __init__(self, item: str, rows: list, send, pos):
        self.item, self.rows, self.send, self.pos = item, rows, send, pos
        self.active = 0 if rows else None
        self.entry = ""
        self.reply = ""
        self.rect = None

    def row_rect(self, k: int) -> tuple:
        x, y, w, _ = self.rect
        return (x, y + 4 + (k + 1) * ROW, w, ROW)

    def lines(self) -> list:
        out = []
        for k, (name, shown, _) in enumerate(self.rows):
            mark = "> " if k == self.active else "  "
            value = f"{self.entry}_" if k == self.active else shown
            out.append(f"{mark}{name}: {value}")
        return out + ["Enter: set   Tab: next row   Esc: close", self.reply]

    def draw(self, pygame, screen, font) -> None:
        self.rect = text_panel(pygame, screen, font, self.lines(), self.pos,
                               f"settings of {self.item}", max_rows=40)

    def click(self, pos) -> bool:
        if self.rect is None:
            return False
        for k in range(len(self.rows)):
            x, y, w, h = self.row_rect(k)
            if x <= pos[0] < x + w and y <= pos[1] < y + h:
                self.active, self.entry = k, ""
                return True
        x, y, w, h = self.rect
        return x <= pos[0] < x + w and y <= pos[1] < y + h

    def key(self, key: str, char: str) -> bool:
        """Handle one key; False when the form should close."""
        if key == "escape":
            return False
        if self.active is None:
            return True
        if key == "tab":
            self.active, self.entry = (self.active + 1) % len(self.rows), ""
        elif key == "backspace":
            self.entry = self.entry[:-1]
        elif key in ("return", "enter"):
            if self.entry.strip():
                name, _, command = self.rows[self.active]
                self.reply = self.send(command.format(value=self.entry.strip()))
                self.entry = ""
        elif char and char.isprintable() and len(self.entry) < 40:
            self.entry += char
        return True
