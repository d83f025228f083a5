"""``trainvaltest``: train in epochs, validate every K epochs, test after M, then end.

Keys: ``main_interface`` and ``main_plasticity`` (required), ``validate_after_epochs``
(default 1000), ``test_after_epochs`` (10000), ``stimulus_duration`` (default: number of
neuron-pools + 2), ``target_folder`` (used without ``--out``). Writes into the output
folder: report.json, model_last.npz (after every epoch), model_best.npz (when the
validation accuracy improves), accuracy_per_delay.png and loss.png.
"""
from __future__ import annotations

import os
import time

from statestream.clients.base import CoreClient, need
from statestream.clients import outputs

TRAIN, VALID, TEST, DONE = "train", "valid", "test", "finished"


class CClient_trainvaltest(CoreClient):  # noqa: N801 - the type's class name
    ends_session = True

    @classmethod
    def problems(cls, spec, graph):
        out = need(spec, "main_interface", str, "interfaces", graph)
        out += need(spec, "main_plasticity", str, "plasticities", graph)
        for key in ("validate_after_epochs", "test_after_epochs", "stimulus_duration"):
            v = spec.get(key, 1)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                out.append((key, f"{key} must be a whole number >= 1, got {v!r}"))
        iface = spec.get("main_interface")
        if not out and not _has_epochs(graph, iface):
            out.append(("main_interface", f"interface {iface!r} has no epochs (a dataset "
                                          "type such as digits or mnist is needed)"))
        return out

    def __init__(self, name, spec, session):
        super().__init__(name, spec, session)
        self.active = True
        self.iface, self.plast = self.p["main_interface"], self.p["main_plasticity"]
        self.validate_every = int(self.p.get("validate_after_epochs", 1000))
        self.test_after = int(self.p.get("test_after_epochs", 10000))
        self.duration = int(self.p.get("stimulus_duration", len(session.graph.neuron_pools) + 2))
        self.path = outputs.path_length(session.graph, self.iface)
        self.started = time.time()
        self.phase, self.epochs, self.frames = None, 0, 0
        self.losses, self.valid_losses = [], []
        self.valid_epochs, self.valid_rows, self.valid_pooled = [], [], []
        self.best, self.best_epoch = None, None
        self.test_per_delay, self.test_pooled = None, None
        self.seconds = {TRAIN: 0.0, VALID: 0.0, TEST: 0.0}
        self.phase_since = time.time()
        self.paused_before: dict = {}

    def initialize(self):
        folder = self.p.get("target_folder")
        if folder and not self.session.out_given:
            os.makedirs(folder, exist_ok=True)
            self.session.out_dir = os.path.abspath(folder)
        self.out = self.session.out_dir
        self.session.checked("stream")  # as the original: the schedule starts by itself

    # -- phases -------------------------------------------------------------------------------
    def _enter(self, phase: str) -> None:
        now = time.time()
        if self.phase in self.seconds:
            self.seconds[self.phase] += now - self.phase_since
        self.phase, self.phase_since = phase, now
        command = self.session.checked
        if phase == TRAIN:
            command("split 0")
            command(f"set {self.iface} mode 2")
            for item, mode in self.paused_before.items():
                command(f"{ {0: 'resume', 1: 'pause', 2: 'off'}[mode]} {item}")
            self.paused_before = {}
        elif phase in (VALID, TEST):
            memory = self.session.memory
            for item in self.session.graph.plasticities:
                if item in memory.index and item not in self.paused_before:
                    self.paused_before[item] = int(memory.proc("pause")[memory.index[item]])
                    command(f"pause {item}")
            command(f"split {self.session.graph.agents if phase == VALID else 0}")
            command(f"set {self.iface} mode {2 if phase == VALID else 3}")
        self.message(f"epoch {self.epochs}: {phase}")

    def before_readin(self):
        if self.phase is None:
            command = self.session.checked
            command(f"set {self.iface} min_duration {self.duration}")
            command(f"set {self.iface} max_duration {self.duration + 1}")
            self._enter(TRAIN)

    def writeout(self):
        self.frames += 1
        if self.phase == TRAIN and self.session.memory.has(f"plast/{self.plast}/loss1"):
            self.losses.append((len(self.losses), float(self.session.read(f"{self.plast}/loss1"))))
        trigger = self.session.read(f"{self.iface}/_epoch_trigger_")
        if self.phase == TRAIN and trigger[0] > 0:
            self.epochs += 1
            self.session.checked(f"save {os.path.join(self.out, 'model_last.npz')}")
            if self.epochs >= self.test_after:
                self._enter(TEST)
            elif self.epochs % self.validate_every == 0:
                self._enter(VALID)
        elif self.phase == VALID and trigger[1] > 0:
            self._validated()
        elif self.phase == TEST and trigger[2] > 0:
            self._tested()

    def _validated(self):
        conf = self.session.read(f"{self.iface}/conf_mat_valid")
        per_delay, pooled = outputs.accuracies(conf, self.path)
        self.valid_epochs.append(self.epochs)
        self.valid_rows.append(per_delay)
        self.valid_pooled.append(pooled)
        if self.session.memory.has(f"plast/{self.plast}/loss0"):
            self.valid_losses.append((len(self.losses),
                                      float(self.session.read(f"{self.plast}/loss0"))))
        if pooled is not None and (self.best is None or pooled > self.best):
            self.best, self.best_epoch = pooled, self.epochs
            self.session.checked(f"save {os.path.join(self.out, 'model_best.npz')}")
        self.message(f"epoch {self.epochs}: validation accuracy {_fmt(pooled)} "
                     f"(best {_fmt(self.best)} at epoch {self.best_epoch})")
        self._write("ongoing")
        self._enter(TRAIN)

    def _tested(self):
        conf = self.session.read(f"{self.iface}/conf_mat_train")  # test walk's counts
        self.test_per_delay, self.test_pooled = outputs.accuracies(conf, self.path)
        self._enter(DONE)
        self.message(f"test accuracy {_fmt(self.test_pooled)} at delays >= {self.path}")
        self._write(DONE)
        self.session.checked("exit")

    def interrupt(self):
        if self.phase != DONE:
            self._enter("interrupted")
            self._write("interrupted")

    # -- outputs ------------------------------------------------------------------------------
    def report(self, status: str) -> dict:
        return {
            "model": self.session.graph.name, "client": self.name, "status": status,
            "epochs": self.epochs, "frames": self.frames, "stimulus_duration": self.duration,
            "path_length": self.path,
            "durations": {"session_s": time.time() - self.started,
                          **{f"{k}_s": v for k, v in self.seconds.items()}},
            "best_validation_accuracy": self.best, "best_validation_epoch": self.best_epoch,
            "validation": [{"epoch": e, "accuracy": a, "accuracy_per_delay": r}
                           for e, a, r in zip(self.valid_epochs, self.valid_pooled,
                                              self.valid_rows)],
            "test_accuracy": self.test_pooled, "test_accuracy_per_delay": self.test_per_delay,
        }

    def _write(self, status: str) -> None:
        outputs.write_json(os.path.join(self.out, "report.json"), self.report(status))
        outputs.plot_heat_map(os.path.join(self.out, "accuracy_per_delay.png"),
                              self.valid_epochs, self.valid_rows,
                              f"{self.session.graph.name}: validation accuracy per delay")
        outputs.plot_losses(os.path.join(self.out, "loss.png"), self.losses, self.valid_losses)

    def status(self):
        return (f"{self.phase or 'starting'}, epoch {self.epochs}, best validation "
                f"{_fmt(self.best)}, test {_fmt(self.test_pooled)}")


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def _has_epochs(graph, iface) -> bool:
    from statestream.interfaces.catalogue import INTERFACE_TYPES

    info = INTERFACE_TYPES.get(graph.interfaces[iface].type)
    return info is None or bool(info.epochs)
