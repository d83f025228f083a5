"""The network drawn through the camera: items coloured by kind, connections with arrow
heads, names, selection, watchdog highlights and a minimap."""
from __future__ import annotations

import math

from statestream.viz import colours
from statestream.viz.camera import Camera
from statestream.viz.layout import edges, graph_items, layered

RADIUS = {"np": 22, "sp": 13, "plast": 17, "if": 17}
KINDS = ("np", "sp", "plast", "if")
MINIMAP = (170, 120)


class GraphView:
    def __init__(self, graph):
        self.items = graph_items(graph)
        self.pairs = edges(self.items)
        self.positions = layered(self.items)
        self.camera = Camera()
        self.shown_kinds = set(KINDS)
        self.show_connections = True
        self.show_names = True
        self.selection: set = set()
        self.highlights: set = set()  # items where the watchdog first saw NaN/Inf

    def upstream_pools(self) -> dict:
        """{neuron-pool: neuron-pools that feed it through its synapse-pools}."""
        return {name: sorted({s for sp in item.edges_in if self.items[sp].kind == "sp"
                              for s in self.items[sp].edges_in})
                for name, item in self.items.items() if item.kind == "np"}

    def visible(self, name: str) -> bool:
        return self.items[name].kind in self.shown_kinds

    def screen_pos(self, name: str) -> tuple:
        x, y = self.camera.to_screen(self.positions[name])
        return round(x), round(y)

    def radius(self, name: str) -> int:
        return max(3, round(RADIUS[self.items[name].kind] * min(self.camera.zoom, 3.0)))

    def item_at(self, pos) -> str | None:
        best, best_d = None, None
        for name in self.items:
            if not self.visible(name):
                continue
            sx, sy = self.screen_pos(name)
            d = math.hypot(pos[0] - sx, pos[1] - sy)
            if d <= self.radius(name) + 3 and (best_d is None or d < best_d):
                best, best_d = name, d
        return best

    def fit(self, view) -> None:
        self.camera.fit([self.positions[n] for n in self.items if self.visible(n)], view)

    # -- drawing -------------------------------------------------------------------------------
    def draw(self, pygame, screen, font, hover=None, profile=None) -> None:
        if self.show_connections:
            for src, dst in self.pairs:
                if self.visible(src) and self.visible(dst):
                    self._arrow(pygame, screen, src, dst)
        for name, item in self.items.items():
            if not self.visible(name):
                continue
            pos, r = self.screen_pos(name), self.radius(name)
            pygame.draw.circle(screen, colours.KIND_COLOURS[item.kind], pos, r)
            if name in self.highlights:
                pygame.draw.circle(screen, colours.WARNING, pos, r + 6, 3)
            if name in self.selection:
                pygame.draw.circle(screen, colours.SELECTED, pos, r + 3, 2)
            elif name == hover:
                pygame.draw.circle(screen, colours.HIGHLIGHT, pos, r + 2, 1)
            if self.show_names:
                label = colours.render_text(font, name, colours.TEXT)
                screen.blit(label, (pos[0] - label.get_width() // 2, pos[1] + r + 2))
            if profile and name in profile:
                text = colours.render_text(font, f"{profile[name]:.2f} ms", colours.HIGHLIGHT)
                screen.blit(text, (pos[0] - text.get_width() // 2, pos[1] - r - 14))

    def _arrow(self, pygame, screen, src, dst) -> None:
        (x0, y0), (x1, y1) = self.screen_pos(src), self.screen_pos(dst)
        length = math.hypot(x1 - x0, y1 - y0)
        if length < 1:
            return
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        r0, r1 = self.radius(src), self.radius(dst)
        start, end = (x0 + ux * r0, y0 + uy * r0), (x1 - ux * r1, y1 - uy * r1)
        colour = (colours.KIND_COLOURS["plast"] if "plast" in
                  (self.items[src].kind, self.items[dst].kind) else colours.CONNECTION)
        pygame.draw.line(screen, colour, start, end, 2)
        size = 8
        left = (end[0] - ux * size - uy * size * 0.5, end[1] - uy * size + ux * size * 0.5)
        right = (end[0] - ux * size + uy * size * 0.5, end[1] - uy * size - ux * size * 0.5)
        pygame.draw.polygon(screen, colour, [end, left, right])

    # -- minimap -------------------------------------------------------------------------------
    def minimap_rect(self, screen_size) -> tuple:
        return (8, screen_size[1] - MINIMAP[1] - 8, MINIMAP[0], MINIMAP[1])

    def _minimap_camera(self, rect) -> Camera:
        camera = Camera()
        camera.fit(list(self.positions.values()), (0, 0, rect[2], rect[3]), margin=40)
        return camera

    def draw_minimap(self, pygame, screen) -> None:
        rect = self.minimap_rect(screen.get_size())
        pygame.draw.rect(screen, colours.PANEL, rect)
        pygame.draw.rect(screen, colours.PANEL_EDGE, rect, 1)
        mini = self._minimap_camera(rect)
        for name, item in self.items.items():
            x, y = mini.to_screen(self.positions[name])
            pygame.draw.circle(screen, colours.KIND_COLOURS[item.kind],
                               (rect[0] + round(x), rect[1] + round(y)), 3)
        w, h = screen.get_size()
        corners = [mini.to_screen(self.camera.to_world(p)) for p in ((0, 0), (w, h))]
        view = pygame.Rect(rect[0] + corners[0][0], rect[1] + corners[0][1],
                           corners[1][0] - corners[0][0], corners[1][1] - corners[0][1])
        pygame.draw.rect(screen, colours.HIGHLIGHT, view.clip(pygame.Rect(rect)), 1)

    def minimap_click(self, pos, screen_size) -> bool:
        """Centre the view on the world point under a minimap click."""
        rect = self.minimap_rect(screen_size)
        if not (rect[0] <= pos[0] < rect[0] + rect[2] and rect[1] <= pos[1] < rect[1] + rect[3]):
            return False
        world = self._minimap_camera(rect).to_world((pos[0] - rect[0], pos[1] - rect[1]))
        self.camera.x = world[0] - screen_size[0] / 2 / self.camera.zoom
        self.camera.y = world[1] - screen_size[1] / 2 / self.camera.zoom
        return True
