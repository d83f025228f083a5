"""Static plans of a loss plasticity's recomputation (``replay`` and ``forecast``).

A plan has steps ``j = 0 .. D``; step ``j`` stands for frame ``base + j``. At each step an
NP is either COMPUTED (``NPUpdate`` at that frame from the step ``j-1`` values) or taken
RECORDED (the state the network wrote in that frame). ``run`` executes a plan with backend
ops only, so it can sit inside ``B.value_and_grad``.

replay:   base = n-1-D; every needed NP with incoming SPs (or trained own parameters) is
          computed at steps >= 1, all others are recorded; interface input is added back.
          An NP whose value cannot depend on a trained parameter (no parameter of it is
          trained by any plasticity, it reads no such NP, it runs every frame from the
          start) is taken recorded instead: the network computed exactly that value.
forecast: base = n-1; step 0 is recorded frame n-1; needed NPs at steps >= 1 without a
          usable incoming SP are pruned and SPs reading pruned NPs are excluded.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from statestream.neuronal import build_np
from statestream.graph.functions import LOSS_FUNCTIONS


class Compute(NamedTuple):
    name: str
    update: object  # NPUpdate
    exclude: frozenset  # SP names left out (forecast pruning)
    reads: tuple  # (np name, computed at j-1?) for every state the update is given
    if_fed: bool  # add the interface input written in the previous frame


class Plan:
    """``steps[j]``: the Computes of step j (``steps[0]`` is empty); ``source``, ``target``,
    ``mask``: (step, NP name) or None."""

    def __init__(self, graph, plast, B, trained):
        self.graph, self.B = graph, B
        self.mode = plast.rollout
        self.has_target = bool(LOSS_FUNCTIONS.get(plast.loss_function, True)) and \
            plast.target is not None
        self.source = (plast.source_t, plast.source)
        self.target = (plast.target_t, plast.target) if self.has_target else None
        mask_t = plast.target_t if self.has_target else plast.source_t
        self.mask = (mask_t, plast.mask) if plast.mask else None
        self.depth = max(t for t, _ in self.outputs())
        self.trained_nps = {owner for owner, _ in trained if owner in graph.neuron_pools}
        self.fed = graph.interface_fed()
        self.order = {name: k for k, name in enumerate(graph.neuron_pools)}
        self.updates: dict = {}
        self.problems: list = []
        self.frozen = self._frozen() if self.mode == "replay" else frozenset()
        needed = self._needed()
        if self.mode == "forecast":
            self.steps = self._plan_forecast(needed)
        else:
            self.steps = self._plan_replay(needed)
        self._collect()

    def outputs(self) -> list:
        return [o for o in (self.source, self.target, self.mask) if o is not None]

    # -- planning --------------------------------------------------------------------------
    def _update(self, name):
        if name not in self.updates:
            self.updates[name] = build_np(name, self.graph, self.B)
        return self.updates[name]

    def _sorted(self, names) -> list:
        return sorted(names, key=self.order.__getitem__)

    def _seeds(self) -> dict:
        needed = {j: set() for j in range(self.depth + 1)}
        for t, name in self.outputs():
            needed[t].add(name)
        return needed

    def _needed(self) -> dict:
        """Backward sweep: step j -> NPs whose step-j value something needs."""
        needed = self._seeds()
        for j in range(self.depth, 0, -1):
            for name in self._sorted(needed[j]):
                if self._computable(name):
                    needed[j - 1].update(self._update(name).reads)
        return needed

    def _frozen(self) -> frozenset:
        """NPs whose replayed value equals the recorded one (see the module's notes)."""
        from .base import trained_params

        graph = self.graph
        trained = {key for p in graph.plasticities.values() for key in trained_params(graph, p)}
        candidates = [n for n in graph.neuron_pools if graph.incoming(n)]
        live = set()
        changed = True
        while changed:  # what can depend on a trained parameter, to a fixed point
            changed = False
            for name in candidates:
                if name in live:
                    continue
                update, item = self._update(name), graph.neuron_pools[name]
                if (any(key in trained for key in update.param_keys)
                        or any(r in live for r in update.reads)
                        or item.period != 1 or item.at_start != 0):
                    live.add(name)
                    changed = True
        return frozenset(n for n in candidates if n not in live)

    def _computable(self, name) -> bool:
        if name in self.frozen:
            return False
        if self.graph.incoming(name):
            return True
        return self.mode == "replay" and name in self.trained_nps

    def _plan_replay(self, needed) -> list:
        computed = {j: {n for n in needed[j] if j > 0 and self._computable(n)}
                    for j in needed}
        steps = [[]]
        for j in range(1, self.depth + 1):
            step = []
            for name in self._sorted(computed[j]):
                update = self._update(name)
                reads = tuple((r, r in computed[j - 1]) for r in update.reads)
                step.append(Compute(name, update, frozenset(), reads, name in self.fed))
            steps.append(step)
        self.computed = computed
        return steps

    def _plan_forecast(self, needed) -> list:
        available = set(needed[0])
        computed = {0: set()}
        steps = [[]]
        for j in range(1, self.depth + 1):
            step, now = [], set()
            for name in self._sorted(needed[j]):
                sps = self.graph.incoming(name)
                usable = [sp for sp in sps if all(s in available for s in sp.source_nps)]
                if not usable:
                    continue  # pruned
                update = self._update(name)
                reads = [s for sp in usable for s in sp.source_nps]
                if name in update.reads and name in available:
                    reads.append(name)  # zoneout's previous state
                reads = tuple((r, j > 1) for r in dict.fromkeys(reads))
                exclude = frozenset(sp.name for sp in sps if sp not in usable)
                step.append(Compute(name, update, exclude, reads, False))
                now.add(name)
            steps.append(step)
            computed[j] = now
            available = now
        self.computed = computed
        for t, name in self.outputs():
            if t > 0 and name not in computed[t]:
                self.problems.append(
                    f"rollout forecast cannot compute {name} {t} frame(s) ahead: none of its "
                    "synapse-pools has all its inputs in the rollout (use rollout: replay)")
        return steps

    def _collect(self):
        """reads / if_reads / param_keys of the plan."""
        recorded = set()
        for step in self.steps:
            for c in step:
                recorded.update(r for r, comp in c.reads if not comp)
        for t, name in self.outputs():
            if name not in self.computed.get(t, ()):
                recorded.add(name)
        self.reads = frozenset(recorded)
        self.if_reads = frozenset(c.name for step in self.steps for c in step if c.if_fed)
        keys = []
        for step in self.steps:
            for c in step:
                keys += [(c.name, p) for p in c.update.own_params]
                keys += [key for sp, _, owners in c.update.incoming if sp not in c.exclude
                         for key in owners.values()]
        self.param_keys = tuple(dict.fromkeys(keys))

    # -- execution ---------------------------------------------------------------------------
    def base(self, frame: int) -> int:
        """Frame of step 0 for step(frame)."""
        return frame - 1 - self.depth if self.mode == "replay" else frame - 1

    def run(self, frame, recorded, if_input, params, seed) -> tuple:
        """(source, target or None, mask or None) of the rollout for step(frame)."""
        B, base = self.B, self.base(frame)
        levels = [{}]
        for j in range(1, self.depth + 1):
            values = {}
            before = levels[j - 1]
            for c in self.steps[j]:
                states = {r: before[r] if comp else B.detach(recorded(base + j - 1, r))
                          for r, comp in c.reads}
                x = c.update(states, params, base + j, seed, c.exclude)
                if c.if_fed:
                    extra = if_input(base + j - 1, c.name)
                    if extra is not None:
                        x = x + B.asarray(np.ascontiguousarray(extra, dtype=np.float32))
                values[c.name] = x
            levels.append(values)

        def value(out):
            if out is None:
                return None
            t, name = out
            if name in levels[t]:
                return levels[t][name]
            return B.detach(recorded(base + t, name))

        return value(self.source), value(self.target), value(self.mask)


__all__ = ["Plan", "Compute"]
