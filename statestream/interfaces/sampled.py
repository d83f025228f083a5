"""Interfaces that present samples per agent for random durations, with TCM metrics.

Order within ``step(k)``: count the predictions read now (they answer the stimuli shown
in frame k-1), advance the clocks, draw and present new samples, check epoch ends, write.
"""
from __future__ import annotations

import numpy as np

from statestream.interfaces.base import INF, Interface, interface_rng
from statestream.interfaces.presentation import PresentationClock
from statestream.interfaces.selection import (TEST, TRAIN, VALID, SampleSelector, part_of)
from statestream.interfaces.tcm import (DEFAULT_MEAN_OVER, DEFAULT_WINDOW,
                                        TemporalConfusionMatrix, accuracy, frame_counts)


def metric_names(suffix: str) -> tuple:
    tail = f"_{suffix}" if suffix else ""
    return "conf_mat" + tail, "acc" + tail


class SampledInterface(Interface):
    USES_SPLIT = True
    STATE = ("rng", "clock", "selector", "started", "mode", "split", "part", "index",
             "epoch_of", "label", "reported", "epoch_counts", "tcms")

    def __init__(self, item, graph, seed, defaults=None):
        super().__init__(item, graph, seed)
        self.add_presentation_params(defaults)
        self.rng = interface_rng(self.seed, self.name)
        self.clock = PresentationClock(self.agents, self.rng)
        self.started, self.mode, self.split = False, 0, 0
        self.part = np.zeros(self.agents, dtype=np.int64)
        self.index = np.zeros(self.agents, dtype=np.int64)
        self.epoch_of = np.zeros(self.agents, dtype=np.int64)
        self.label = np.zeros(self.agents, dtype=np.int64)
        self.reported = [-1, -1, -1]
        self.epoch_counts: dict = {}  # (part, epoch) -> counts of a walk in progress
        self.tcms: dict = {}
        self.selector = None
        self.pred_topic = None

    def setup(self, sizes: tuple, classes: int) -> None:
        """Pool sizes per part (train, valid, test) and the number of classes."""
        self.selector = SampleSelector(sizes, self.rng)
        self.classes = int(classes)
        info = self.catalogue
        if info is not None and info.epochs:
            self.variables["_epoch_trigger_"] = (3,)
        pred = info.inputs[0] if info is not None and info.inputs else None
        if pred not in self.in_topics or not info.metrics:
            return
        self.check_features(pred, self.classes, "in")
        self.pred_topic = pred
        window = self.spec_number("conf-mat window", DEFAULT_WINDOW, (1, INF), integer=True)
        mean_over = self.spec_number("conf-mat mean over", DEFAULT_MEAN_OVER, (1, INF),
                                     integer=True)
        for suffix in info.metrics:
            self.tcms[suffix] = TemporalConfusionMatrix(self.classes, window, mean_over)
            conf, acc = metric_names(suffix)
            self.variables[conf] = (window, self.classes, self.classes)
            self.variables[acc] = (window, 1, 1)

    # -- hooks ----------------------------------------------------------------------------
    def sample_label(self, part: int, index: int) -> int:
        raise NotImplementedError

    def truth(self) -> tuple:
        """(true classes [agents] or [agents, X, Y] (-1: none), weights or None) of the
        stimuli shown in the previous frame, for the confusion matrices."""
        return self.label, None

    def present(self, agents: np.ndarray, params: dict) -> None:
        """Prepare the stimuli of ``agents`` (their part/index/label are set)."""
        raise NotImplementedError

    def render(self, params: dict, fade: np.ndarray) -> dict:
        """Out topics for this frame."""
        raise NotImplementedError

    # -- step -----------------------------------------------------------------------------
    def _step(self, frame, inputs, params, split):
        mode = int(round(params["mode"]))
        single, walk = mode == 1, mode in (2, 3)
        forced = not self.started or mode != self.mode or split != self.split
        if forced:
            self.selector.restart()
            self.reported, self.epoch_counts = [-1, -1, -1], {}
            for tcm in self.tcms.values():
                tcm.reset()
            self.started, self.mode, self.split = True, mode, split
        else:
            self.count_predictions(frame, inputs, walk)
        new = self.clock.advance(frame, forced, int(params["min_duration"]),
                                 int(params["max_duration"]), single)
        agents = np.flatnonzero(new)
        if agents.size:
            self.draw(agents[:1] if single else agents, params)
            if single:
                for array in (self.part, self.index, self.epoch_of, self.label):
                    array[:] = array[0]
        out = self.render(params, self.clock.fade(int(params.get("fading", 0))))
        for topic, shape in self.out_shapes.items():
            if topic not in out:  # a topic this type does not produce
                out[topic] = np.zeros(shape, dtype=np.float32)
        out["_trigger_"] = new.astype(np.float32)
        finished = self.finish_epochs(mode) if walk else {}
        if "_epoch_trigger_" in self.variables:
            out["_epoch_trigger_"] = np.array([p in finished for p in range(3)], np.float32)
        out.update(self.metrics(mode, finished))
        return out

    def draw(self, agents, params) -> None:
        walk = self.mode in (2, 3)
        for a in agents:
            part = part_of(int(a), self.mode, self.split, self.USES_SPLIT)
            index, epoch = self.selector.draw(part, walk)
            self.part[a], self.index[a], self.epoch_of[a] = part, index, epoch
            self.label[a] = self.sample_label(part, index)
        self.present(agents, params)

    def count_predictions(self, frame, inputs, walk) -> None:
        pred = inputs.get(self.pred_topic) if self.pred_topic else None
        if pred is None:
            return
        pred = np.asarray(pred).reshape(self.in_shapes[self.pred_topic])
        delays = (frame - 1) - self.clock.onset
        held_out = np.arange(self.agents) < self.split
        masks = [~held_out, held_out] if len(self.tcms) == 2 else [None]
        true, weights = self.truth()
        for tcm, mask in zip(self.tcms.values(), masks):
            tcm.update(delays, true, pred, _combined(mask, weights))
        if walk:
            first = next(iter(self.tcms.values()))
            for key in set(zip(self.part.tolist(), self.epoch_of.tolist())):
                mask = (self.part == key[0]) & (self.epoch_of == key[1])
                counts = frame_counts(first.window, self.classes, delays, true, pred,
                                      _combined(mask, weights))
                self.epoch_counts[key] = self.epoch_counts.get(key, 0) + counts

    def finish_epochs(self, mode) -> dict:
        """Parts whose walk finished now -> that epoch's counts. A walk is finished once its
        permutation is used up and no agent still shows one of its samples."""
        finished = {}
        for part in ((TRAIN, VALID) if mode == 2 else (TEST,)):
            while True:
                epoch = self.reported[part] + 1
                showing = np.any((self.part == part) & (self.epoch_of == epoch))
                if self.selector.epoch[part] <= epoch or showing:
                    break
                finished[part] = self.epoch_counts.pop((part, epoch), None)
                self.reported[part] = epoch
        return finished

    def metrics(self, mode, finished) -> dict:
        out = {}
        for position, (suffix, tcm) in enumerate(self.tcms.items()):
            conf, acc = tcm.conf_mat(), tcm.accuracy()
            if len(self.tcms) == 2 and mode in (2, 3):
                cumulative_part = {(2, 1): VALID, (3, 0): TEST}.get((mode, position))
                if cumulative_part is not None:
                    conf = self.walk_counts(cumulative_part, finished, conf.shape)
                elif mode == 3:
                    conf = np.zeros_like(conf)
                acc = accuracy(conf)
            names = metric_names(suffix)
            out[names[0]], out[names[1]] = conf, acc
        return out

    def walk_counts(self, part, finished, shape) -> np.ndarray:
        """Counts of the walk in progress (or of the one that finished in this frame)."""
        counts = finished[part] if part in finished else self.epoch_counts.get(
            (part, self.reported[part] + 1))
        return np.zeros(shape) if counts is None else counts


def _combined(agent_mask, weights):
    """Agent mask [agents] (or None) times pixel weights [agents, X, Y] (or None)."""
    if weights is None:
        return agent_mask
    if agent_mask is None:
        return weights
    return weights * agent_mask.reshape((-1,) + (1,) * (weights.ndim - 1))
