"""sim: a 2-D physics world with one round agent per network agent (numpy, no data).

in: Fx, Fy, Fa (mean of the NP state = forward, sideways, turning force in the body frame).
out: ret_fov / ret_per [3, R, *] colours seen along foveal (+-0.2 pi) / peripheral (+-pi)
rays, dist_fov / dist_per [1, R, *] hit distances divided by the world's diagonal,
haptic [H, *, *] = -ln(d / (2 rep)) for peripheral distances d < 2 rep (else 0), and
lookat, acc_x, acc_y, acc_a population-coded ([N, *, *], a Gaussian bump over an axis).
"""
from __future__ import annotations

import numpy as np

from statestream.interfaces.base import INF, Interface, interface_rng
from statestream.interfaces.sim_world import AGENT_RADIUS, World

FOVEA = 0.2 * np.pi
POPULATION_KEYS = {"type": "line", "func_x_min": -1.0, "func_x_max": 1.0,
                   "func_y_amp": 1.0, "func_y_sigma": 0.1}


class Sim(Interface):
    TYPE = "sim"
    STATE = ("world", "started")

    def __init__(self, item, graph, seed):
        super().__init__(item, graph, seed)
        self.add_param("mode", 0, self.param_bounds["mode"], integer=True)
        number = self.spec_number
        self.world = World(
            self.agents, number("world_width", 1000, (1, INF)),
            number("world_height", 720, (1, INF)), interface_rng(self.seed, self.name, "world"),
            friction=number("world_friction", 0.2, (0, 1)),
            limit_trans=number("limit_trans_vel", 2.0, (0, INF)),
            limit_rot=number("limit_rot_vel", 1.0, (0, INF)),
            repulsion=number("repulsion_dist", 32, (1e-6, INF)))
        self.rays = {"fov": self.ray_count("fov", "fov_receptors", 128),
                     "per": self.ray_count("per", "per_receptors", 128)}
        self.haptic_count = self.out_shapes.get("haptic", (0, int(number(
            "hap_receptors", 64, (1, INF), integer=True))))[1]
        self.population = self.read_population()
        self.started = False

    def ray_count(self, kind: str, key: str, default: int) -> int:
        for topic in (f"ret_{kind}", f"dist_{kind}"):
            if topic in self.out_shapes:
                return self.out_shapes[topic][2]
        return int(self.spec_number(key, default, (1, INF), integer=True))

    def read_population(self) -> dict:
        limits = {"lookat": np.pi, "acc_x": self.world.limit_trans,
                  "acc_y": self.world.limit_trans, "acc_a": self.world.limit_rot}
        given = self.item.get("out_par") or {}
        if not hasattr(given, "items"):
            raise self.fail("out_par", f"out_par must be a mapping {{topic: spec}}, got {given!r}")
        specs = {}
        for topic, limit in limits.items():
            spec = dict(POPULATION_KEYS, func_x_min=-limit, func_x_max=limit,
                        func_y_sigma=limit / 8)
            if topic == "lookat":
                spec["type"] = "modulo"
            spec.update({k: v for k, v in (given.get(topic) or {}).items() if k in spec})
            if spec["type"] not in ("line", "modulo"):
                raise self.fail("out_par", f"out_par {topic} type must be line or modulo, "
                                f"got {spec['type']!r}")
            specs[topic] = spec
        return specs

    def force(self, inputs, topic) -> np.ndarray:
        value = inputs.get(topic)
        if value is None:
            return np.zeros(self.agents)
        return np.asarray(value, dtype=np.float64).reshape(self.agents, -1).mean(axis=1)

    def _step(self, frame, inputs, params, split):
        if self.started:
            self.world.step(*(self.force(inputs, t) for t in ("Fx", "Fy", "Fa")))
        out = {"_trigger_": np.full(self.agents, 0.0 if self.started else 1.0, np.float32)}
        self.started = True
        senses = {}
        for kind, count in self.rays.items():
            half = FOVEA if kind == "fov" else np.pi
            offsets = np.linspace(-half, half, count, endpoint=kind == "fov")
            senses[kind] = self.world.cast(np.broadcast_to(offsets, (self.agents, count)))
        diagonal = float(np.hypot(self.world.width, self.world.height))
        for kind, (colours, distance) in senses.items():
            self.put(out, f"ret_{kind}", np.moveaxis(colours, 2, 1)[..., None])
            self.put(out, f"dist_{kind}", (distance / diagonal)[:, None, :, None])
        if "haptic" in self.out_shapes:
            offsets = np.linspace(-np.pi, np.pi, self.haptic_count, endpoint=False)
            _, distance = self.world.cast(np.broadcast_to(offsets, (self.agents,
                                                                    self.haptic_count)))
            reach = 2.0 * self.world.repulsion
            gap = np.maximum(distance - AGENT_RADIUS, 1e-3)
            haptic = np.where(gap < reach, -np.log(gap / reach), 0.0)
            self.put(out, "haptic", haptic[:, :, None, None])
        values = {"lookat": np.zeros(self.agents), "acc_x": self.world.acc[:, 0],
                  "acc_y": self.world.acc[:, 1], "acc_a": self.world.acc[:, 2]}
        for topic, value in values.items():
            if topic in self.out_shapes:
                nodes = self.out_shapes[topic][1]
                self.put(out, topic, population(value, nodes, self.population[topic])[..., None,
                                                                                       None])
        return out

    def put(self, out, topic, value) -> None:
        if topic in self.out_shapes:
            out[topic] = np.broadcast_to(value, self.out_shapes[topic])


def population(values, nodes: int, spec: dict) -> np.ndarray:
    """[agents, nodes]: amp * exp(-(x_i - v)^2 / (2 sigma^2)) over nodes x_i evenly on
    [func_x_min, func_x_max]; ``line`` clamps v to the axis, ``modulo`` wraps distances."""
    lo, hi = float(spec["func_x_min"]), float(spec["func_x_max"])
    axis = np.linspace(lo, hi, nodes) if nodes > 1 else np.array([(lo + hi) / 2])
    values = np.asarray(values, dtype=np.float64)[:, None]
    if spec["type"] == "modulo":
        span = hi - lo
        diff = (axis[None] - values + span / 2) % span - span / 2
    else:
        diff = axis[None] - np.clip(values, lo, hi)
    sigma = max(float(spec["func_y_sigma"]), 1e-9)
    return float(spec["func_y_amp"]) * np.exp(-diff ** 2 / (2 * sigma ** 2))
