"""The core's side of the command language: execute one checked command between frames."""
from __future__ import annotations

import numpy as np

from statestream.clients import commands as client_commands
from statestream.errors import UserError
from statestream.metavariables.commands import mv_command
from statestream.metavariables.host import start_graph_metavariables
from statestream.runtime import control as C
from statestream.runtime.commands import (CORE_CONTROLS, FLOAT32_MAX, READ_ONLY, CommandError, check_bounds,
                                          help_text, parse, split_line)
from statestream.runtime.reads import read_consistent
from statestream.runtime.frame import OFF, PAUSED, RUN
from statestream.runtime.learning import param_bounds

MODES = {RUN: "running", PAUSED: "paused", OFF: "off"}


class SessionNames:
    """What a command may name in one session."""

    def __init__(self, core):
        self.items = set(core.session.index)
        self.nps = set(core.graph.neuron_pools)
        self.sps = set(core.graph.synapse_pools)
        self.agents = core.graph.agents


class CommandRunner:
    """Executes commands for the core; every reply is text, errors start with ``error:``."""

    def __init__(self, core):
        self.core = core
        self.session = core.session
        self.names = SessionNames(core)
        self.bounds = param_bounds(core.graph)
        self.log: list = []  # (frame, item, name, old, new) of every change made by set
        start_graph_metavariables(core)

    def answer_now(self, text: str):
        """The reply to a command that only reads (any thread, any time), else None: the
        core executes it between frames."""
        try:
            words = split_line(text)
        except CommandError:
            words = []
        if not words:
            return None
        if words[0] in READ_ONLY:
            return self.execute(text)
        if words[0] in CORE_CONTROLS:
            with self.core.control_lock:
                reply = self.execute(text)
            self.core.channel.wake()  # a paused core waits for commands: let it see this
            return reply
        return None

    def execute(self, text: str) -> str:
        try:
            command, values = parse(text, self.names)
            changes = command.name not in READ_ONLY and command.name not in CORE_CONTROLS
            if changes:
                self.core.inputs_changed = True  # plasticities computed ahead take them again
            with self.core.changing_params(changes):
                return getattr(self, f"_do_{command.name}")(*values)
        except CommandError as exc:
            return f"error: {exc}"
        except UserError as exc:
            return "error: " + " ".join(str(exc).split())

    # -- streaming ---------------------------------------------------------------------------
    def _do_stream(self):
        self.session.ctl[C.STREAMING] = 1
        return "ok"

    def _do_pause(self, item=None):
        if item is None:
            self.session.ctl[C.STREAMING] = 0
            self.session.ctl[C.STEPS] = 0  # frames asked for by step are dropped too
        else:
            self.session.proc("pause")[self.session.index[item]] = PAUSED
        return "ok"

    def _do_resume(self, item):
        self.session.proc("pause")[self.session.index[item]] = RUN
        return "ok"

    def _do_off(self, item):
        self.session.proc("pause")[self.session.index[item]] = OFF
        return "ok"

    def _do_step(self, n=1):
        ctl = self.session.ctl
        ctl[C.STEPS] = min(int(ctl[C.STEPS]) + n, 2**62)
        return "ok"

    def _do_exit(self):
        self.session.ctl[C.EXIT] = 1
        return "ok"

    def _do_delay(self, ms):
        self.session.ctl[C.DELAY_US] = int(round(ms * 1000))
        return "ok"

    def _do_split(self, n):
        self.session.ctl[C.SPLIT] = n
        return "ok"

    # -- schedules ---------------------------------------------------------------------------
    def _do_period(self, item, period):
        i = self.session.index[item]
        self.session.proc("period")[i] = period
        offset = self.session.proc("offset")
        offset[i] = offset[i] % period
        return "ok"

    def _do_offset(self, item, offset):
        i = self.session.index[item]
        self.session.proc("offset")[i] = offset % int(self.session.proc("period")[i])
        return "ok"

    def _do_bottleneck(self, item, factor):
        i = self.session.index[item]
        self.session.proc("bottleneck")[i] = factor if factor > 0 else -1.0
        if factor <= 0:
            self.session.proc("period")[i], self.session.proc("offset")[i] = 1, 0
        return "ok"

    # -- settings and parameters --------------------------------------------------------------
    def _setting(self, item: str, name: str):
        """(array, index, bounds) of a scalar setting or parameter, or a CommandError."""
        core = self.core
        if item in core.interfaces:
            iface = core.interfaces[item]
            names = list(iface.params)
            if name not in names:
                raise CommandError(f"{item} has no setting {name!r} (it has "
                                   f"{', '.join(names) or 'none'})")
            lo, hi = iface.param_bounds.get(name, (-FLOAT32_MAX, FLOAT32_MAX))
            return self.session.array(f"ifpar/{item}"), names.index(name), (lo, hi)
        if item in core.learning:
            hyper = core.learning[item].hyper
            if name not in hyper:
                raise CommandError(f"{item} has no setting {name!r} (it has "
                                   f"{', '.join(hyper)})")
            _, lo, hi = hyper[name]
            return self.session.array(f"hyp/{item}"), list(hyper).index(name), (lo, hi)
        key = f"par/{item}/{name}"
        if not self.session.has(key):
            owned = sorted(k.split("/")[2] for k in self.session.layout["arrays"]
                           if k.startswith(f"par/{item}/"))
            raise CommandError(f"{item} has no parameter {name!r}"
                               + (f" (it has {', '.join(owned)})" if owned else ""))
        return self.session.array(key), None, self.bounds.get((item, name), (None, None))

    def _do_set(self, item, name, value):
        array, index, bounds = self._setting(item, name)
        check_bounds(f"{item}.{name}", value, bounds)
        if index is None:
            if array.size != 1:
                raise CommandError(f"{item}.{name} is not a scalar (shape "
                                   f"{list(array.shape)}); set takes scalars")
            flat = array.reshape(-1)
            old = float(flat[0])
            flat[0] = np.float32(value)
            new = float(flat[0])
        else:
            old = float(array[index])
            array[index] = value
            new = float(array[index])
        self.log.append((int(self.session.ctl[C.FRAME]), item, name, old, new))
        return "ok"

    def _do_profile(self):
        return "\n".join(f"{r['item']}  compute {r['compute_ms']:.3f} ms  read {r['read_ms']:.3f} ms"
                         f"  write {r['write_ms']:.3f} ms  executions {r['executions']}"
                         for r in self.core.profile())

    def _do_settings(self, item):
        """One line per scalar setting: ``NAME = VALUE [LOW, HIGH]``."""
        rows = []
        for name in self._scalar_names(item):
            _, _, (lo, hi) = self._setting(item, name)
            low = "-inf" if lo is None or lo <= -FLOAT32_MAX else f"{lo:g}"
            high = "inf" if hi is None or hi >= FLOAT32_MAX else f"{hi:g}"
            rows.append(f"{self._do_get(item, name)} [{low}, {high}]")
        return "\n".join(rows) or f"{item} has no scalar settings"

    def _scalar_names(self, item: str) -> list:
        if item in self.core.interfaces:
            return list(self.core.interfaces[item].params)
        if item in self.core.learning:
            return list(self.core.learning[item].hyper)
        prefix = f"par/{item}/"
        return [k[len(prefix):] for k, (_, shape, _) in self.session.layout["arrays"].items()
                if k.startswith(prefix) and int(np.prod(shape)) == 1]

    def _do_log(self):
        if not self.log:
            return "no changes yet"
        return "\n".join(f"frame {f}: {item}.{name} {old:g} -> {new:g}"
                         for f, item, name, old, new in self.log)

    def _do_get(self, item, name):
        array, index, _ = self._setting(item, name)
        if index is not None:
            return f"{item}.{name} = {float(array[index]):g}"
        if array.size == 1:
            return f"{item}.{name} = {float(array.reshape(-1)[0]):g}"
        frame, arrays = read_consistent(self.session, [f"{item}/{name}"])
        return f"{item}.{name} at frame {frame}: {_stats(arrays[f'{item}/{name}'])}"

    # -- information ---------------------------------------------------------------------------
    def _do_state(self, np_name=None):
        if np_name is None:
            return self._do_status()
        if int(self.session.ctl[C.FRAME]) < 0:
            return f"{np_name}: no frame computed yet"
        frame, arrays = read_consistent(self.session, [np_name])
        return f"{np_name} at frame {frame}: {_stats(arrays[np_name])}"

    def _do_status(self):
        ctl = self.session.ctl
        mode = "streaming" if ctl[C.STREAMING] else "paused"
        return (f"session {self.session.sid}: frame {int(ctl[C.FRAME])}, {mode}, "
                f"split {int(ctl[C.SPLIT])}, delay {int(ctl[C.DELAY_US]) / 1000:g} ms, "
                f"{len(self.session.processes)} items in {len(self.core.hosts)} processes")

    def _do_save(self, path):
        self.core.save_states(path)
        return f"saved {path} (frame {int(self.session.ctl[C.FRAME])})"

    def _do_load(self, path):
        from statestream.runtime.live_load import load_live

        return load_live(self.core, path)

    def _do_nps(self):
        graph = self.core.graph
        return "\n".join(f"{n}  {'x'.join(str(d) for d in graph.np_state_shape(n))}"
                         for n in graph.neuron_pools)

    def _do_sps(self):
        return "\n".join(f"{sp.name}  {' * '.join('+'.join(f) for f in sp.source)} -> "
                         f"{sp.target}" for sp in self.core.graph.synapse_pools.values())

    def _do_items(self):
        session = self.session
        rows = []
        for name in session.processes:
            i = session.index[name]
            rows.append(f"{name}  {session.kinds[name]}  period {int(session.proc('period')[i])}"
                        f"  offset {int(session.proc('offset')[i])}  "
                        f"{MODES.get(int(session.proc('pause')[i]), '?')}")
        return "\n".join(rows)

    # -- core clients (statestream.clients.commands) ---------------------------------------
    def _do_ccs(self):
        return client_commands.ccs(self.core)

    def _do_ccmsg(self, name=None):
        return client_commands.ccmsg(self.core, name)

    def _do_ccstart(self, name):
        return client_commands.ccstart(self.core, name)

    def _do_ccstop(self, name):
        return client_commands.ccstop(self.core, name)

    def _do_cstat(self):
        return client_commands.cstat(self.core)

    # -- meta-variables (statestream.metavariables.commands) -------------------------------
    def _do_mv(self, action, args=()):
        return mv_command(self.core, [action] + list(args))

    def _do_help(self, topic=None):
        return help_text(topic)


def _stats(value: np.ndarray) -> str:
    finite = np.isfinite(value)
    bad = int(value.size - np.count_nonzero(finite))
    shown = value[finite] if bad else value
    if shown.size == 0:
        return f"shape {list(value.shape)}, no finite values ({bad} NaN/Inf)"
    text = (f"shape {list(value.shape)}, mean {float(shown.mean()):.4g}, std "
            f"{float(shown.std()):.4g}, min {float(shown.min()):.4g}, max "
            f"{float(shown.max()):.4g}")
    return text + (f", {bad} NaN/Inf" if bad else "")
