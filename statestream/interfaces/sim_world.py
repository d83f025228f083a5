"""The sim interface's 2-D world in numpy: walls, a mirror, round agents and discs,
repulsion, friction, velocity limits, Euler steps and ray casting."""
from __future__ import annotations

import numpy as np

RED, YELLOW, BLUE, CYAN = (1.0, 0.0, 0.0), (1.0, 1.0, 0.0), (0.0, 0.0, 1.0), (0.0, 1.0, 1.0)
AGENT_RADIUS, DISC_RADIUS, DISCS_PER_AGENT, COLUMNS = 16.0, 10.0, 2, 8
# inner walls and the mirror as fractions of the world (x0, y0, x1, y1)
INNER_WALLS = ((0.3, 0.0, 0.3, 0.35), (0.6, 1.0, 0.6, 0.6), (0.75, 0.3, 0.95, 0.3))
MIRROR = (0.05, 0.7, 0.2, 0.85)


def segment_hits(origins, directions, starts, ends):
    """Distances [A, R, S] along rays (origins [A, 2], directions [A, R, 2]) to segments;
    inf where missed."""
    edge = ends - starts  # [S, 2]
    rel = starts[None, None] - origins[:, None, None]  # [A, 1, S, 2]
    d = directions[:, :, None]  # [A, R, 1, 2]
    den = d[..., 0] * edge[:, 1] - d[..., 1] * edge[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (rel[..., 0] * edge[:, 1] - rel[..., 1] * edge[:, 0]) / den
        u = (rel[..., 0] * d[..., 1] - rel[..., 1] * d[..., 0]) / den
    hit = (np.abs(den) > 1e-12) & (t > 0) & (u >= 0) & (u <= 1)
    return np.where(hit, t, np.inf)


def circle_hits(origins, directions, centres, radii, own):
    """Distances [A, R, C] along rays to circles; ``own`` [A] is each ray owner's circle."""
    rel = centres[None, None] - origins[:, None, None]  # [A, 1, C, 2]
    t = (rel * directions[:, :, None]).sum(-1)  # [A, R, C]
    closest = (rel ** 2).sum(-1) - t ** 2
    inside = radii ** 2 - closest
    hit_t = t - np.sqrt(np.maximum(inside, 0.0))
    hit = (inside >= 0) & (hit_t > 0)
    hit[np.arange(len(own)), :, own] = False
    return np.where(hit, hit_t, np.inf)


class World:
    def __init__(self, agents: int, width: float, height: float, rng: np.random.Generator,
                 friction=0.2, limit_trans=2.0, limit_rot=1.0, repulsion=32.0):
        self.width, self.height = float(width), float(height)
        self.friction, self.limit_trans, self.limit_rot = friction, limit_trans, limit_rot
        self.repulsion = float(repulsion)
        size = np.array([width, height])
        walls = [(0, 0, 1, 0), (1, 0, 1, 1), (1, 1, 0, 1), (0, 1, 0, 0)] + list(INNER_WALLS)
        lines = np.array(walls + [MIRROR], dtype=np.float64)
        self.starts, self.ends = lines[:, :2] * size, lines[:, 2:] * size
        self.colours = np.array([RED] * len(walls) + [YELLOW])
        rows = -(-agents // COLUMNS)
        cells = [((c + 0.5) / COLUMNS, (r + 0.5) / rows) for r in range(rows)
                 for c in range(COLUMNS)][:agents]
        self.agents = agents
        self.pos = np.array(cells) * size  # agents then discs
        discs = rng.uniform(0.05, 0.95, size=(agents * DISCS_PER_AGENT, 2)) * size
        self.pos = np.concatenate([self.pos, discs])
        self.vel = np.zeros_like(self.pos)
        self.angle = rng.uniform(-np.pi, np.pi, size=agents)
        self.omega = np.zeros(agents)
        self.acc = np.zeros((agents, 3))  # body frame: forward, sideways, rotation
        self.radii = np.array([AGENT_RADIUS] * agents + [DISC_RADIUS] * len(discs))
        self.circle_colours = np.array([BLUE] * agents + [CYAN] * len(discs))

    # -- dynamics -------------------------------------------------------------------------
    def repulsion_forces(self) -> np.ndarray:
        """Push apart overlapping-by-margin circles and circles near walls."""
        force = np.zeros_like(self.pos)
        rel = self.pos[:, None] - self.pos[None]
        dist = np.sqrt((rel ** 2).sum(-1)) + np.eye(len(self.pos)) * 1e9
        gap = dist - self.radii[:, None] - self.radii[None]
        push = np.clip(1.0 - gap / self.repulsion, 0.0, None)
        force += (push[..., None] * rel / dist[..., None]).sum(1)
        edge = self.ends - self.starts
        t = ((self.pos[:, None] - self.starts[None]) * edge[None]).sum(-1) / (edge ** 2).sum(-1)
        nearest = self.starts[None] + np.clip(t, 0, 1)[..., None] * edge[None]
        rel = self.pos[:, None] - nearest
        dist = np.maximum(np.sqrt((rel ** 2).sum(-1)), 1e-6)
        push = np.clip(1.0 - (dist - self.radii[:, None]) / self.repulsion, 0.0, None)
        force += (push[..., None] * rel / dist[..., None]).sum(1)
        return force

    def step(self, forward, sideways, turn) -> None:
        """One Euler step with body-frame forces per agent."""
        cos, sin = np.cos(self.angle), np.sin(self.angle)
        force = self.repulsion_forces()
        force[:self.agents, 0] += forward * cos - sideways * sin
        force[:self.agents, 1] += forward * sin + sideways * cos
        old_vel, old_omega = self.vel.copy(), self.omega.copy()
        vel = (self.vel + force) * (1.0 - self.friction)
        speed = np.sqrt((vel ** 2).sum(-1, keepdims=True))
        self.vel = vel * np.minimum(1.0, self.limit_trans / np.maximum(speed, 1e-12))
        self.omega = np.clip((self.omega + turn) * (1.0 - self.friction),
                             -self.limit_rot, self.limit_rot)
        self.pos = np.clip(self.pos + self.vel, self.radii[:, None],
                           np.array([self.width, self.height]) - self.radii[:, None])
        self.angle = (self.angle + self.omega + np.pi) % (2 * np.pi) - np.pi
        dv = self.vel[:self.agents] - old_vel[:self.agents]
        self.acc = np.stack([dv[:, 0] * cos + dv[:, 1] * sin,
                             -dv[:, 0] * sin + dv[:, 1] * cos, self.omega - old_omega], 1)

    # -- senses ---------------------------------------------------------------------------
    def cast(self, offsets: np.ndarray) -> tuple:
        """(colours [A, R, 3], distances [A, R]) of rays at ``offsets`` [A, R] radians from
        each agent's heading; no hit: black at the world's diagonal."""
        angles = self.angle[:, None] + offsets
        directions = np.stack([np.cos(angles), np.sin(angles)], -1)
        origins = self.pos[:self.agents]
        walls = segment_hits(origins, directions, self.starts, self.ends)
        circles = circle_hits(origins, directions, self.pos, self.radii,
                              np.arange(self.agents))
        both = np.concatenate([walls, circles], -1)
        nearest = both.argmin(-1)
        distance = np.take_along_axis(both, nearest[..., None], -1)[..., 0]
        palette = np.concatenate([self.colours, self.circle_colours])
        colours = palette[nearest]
        missed = ~np.isfinite(distance)
        diagonal = float(np.hypot(self.width, self.height))
        colours[missed] = 0.0
        distance[missed] = diagonal
        return colours, distance

    def state_dict(self) -> dict:
        return {k: getattr(self, k).copy() for k in ("pos", "vel", "angle", "omega", "acc")}

    def load_state_dict(self, state: dict) -> None:
        for key, value in state.items():
            setattr(self, key, np.array(value, dtype=np.float64))
