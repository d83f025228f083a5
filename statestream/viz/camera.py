"""World <-> screen coordinates: zoom about a point, pan, fit a box into the view."""
from __future__ import annotations

MIN_ZOOM, MAX_ZOOM = 0.05, 20.0


class Camera:
    def __init__(self, zoom: float = 1.0, x: float = 0.0, y: float = 0.0):
        self.zoom, self.x, self.y = zoom, x, y  # screen = (world - (x, y)) * zoom

    def to_screen(self, point) -> tuple:
        return ((point[0] - self.x) * self.zoom, (point[1] - self.y) * self.zoom)

    def to_world(self, point) -> tuple:
        return (point[0] / self.zoom + self.x, point[1] / self.zoom + self.y)

    def pan(self, dx: float, dy: float) -> None:
        """Move the view by a screen distance."""
        self.x -= dx / self.zoom
        self.y -= dy / self.zoom

    def zoom_at(self, screen_point, factor: float) -> None:
        """Zoom by ``factor`` keeping the world point under ``screen_point`` in place."""
        before = self.to_world(screen_point)
        self.zoom = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom * factor))
        self.x = before[0] - screen_point[0] / self.zoom
        self.y = before[1] - screen_point[1] / self.zoom

    def fit(self, points, view, margin: float = 60.0) -> None:
        """Show every world point inside the screen rectangle ``view`` (x, y, w, h)."""
        points = list(points)
        if not points:
            return
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        width = max(max(xs) - min(xs), 1.0) + 2 * margin
        height = max(max(ys) - min(ys), 1.0) + 2 * margin
        self.zoom = min(MAX_ZOOM, max(MIN_ZOOM, min(view[2] / width, view[3] / height)))
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        self.x = cx - (view[0] + view[2] / 2) / self.zoom
        self.y = cy - (view[1] + view[3] / 2) / self.zoom

    def to_dict(self) -> dict:
        return {"zoom": self.zoom, "x": self.x, "y": self.y}

    @classmethod
    def from_dict(cls, data: dict) -> "Camera":
        zoom = float(data.get("zoom", 1.0))
        return cls(min(MAX_ZOOM, max(MIN_ZOOM, zoom)), float(data.get("x", 0)),
                   float(data.get("y", 0)))
