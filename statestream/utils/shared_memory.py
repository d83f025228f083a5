"""``STCClient.shm``: the session's arrays as the original's nested dicts.

``dat[item]["state" | "parameter" | "variables"][name]`` are live numpy views of the last
computed frame; writing into them in place (between frames, where clients run) lands at
the next frame like any edit. Scalar settings (lr, mode, ...) are 1-element views.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from statestream.errors import UserError
from statestream.utils.shared_memory_layout import SharedMemoryLayout


class _Live(Mapping):
    """A mapping whose values are computed on every access (views of the last frame)."""

    def __init__(self, names, get):
        self._names, self._get = list(names), get

    def __getitem__(self, name):
        if name not in self._names:
            raise KeyError(name)
        return self._get(name)

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)


class ClientMemory:
    """``dat``, ``layout``, ``proc_id``, ``get_shm``, ``set_shm`` over one session."""

    def __init__(self, core):
        self.core, self.memory, self.graph = core, core.session, core.graph
        arrays = self.memory.layout["arrays"]
        self.dat = {}
        for item in self.graph.items():
            if item.kind == "client":
                continue
            self.dat[item.name] = _Live(self._kinds(item), self._kind_getter(item.name,
                                                                               arrays))
        self.proc_id = {name: np.array([self.memory.index.get(name, -1)], dtype=np.int32)
                        for name in self.dat}
        self.layout = {name: _Live(d, self._layout_getter(name)) for name, d in self.dat.items()}

    def _kinds(self, item) -> list:
        return (["state"] if item.kind == "np" else []) + ["parameter", "variables"]

    def _kind_getter(self, name: str, arrays):
        memory = self.memory

        def get(kind):
            if kind == "state":
                return memory.state(name, memory.frame)
            if kind == "parameter":
                return _Live(self._param_names(name, arrays), lambda p: self._param(name, p))
            iface_vars = [k.split("/", 2)[2] for k in arrays if k.startswith(f"if/{name}/")]
            if iface_vars:
                return _Live(iface_vars, lambda v: memory.if_var(name, v, memory.frame))
            plast_vars = [k.split("/", 2)[2] for k in arrays if k.startswith(f"plast/{name}/")]
            return _Live(plast_vars, lambda v: memory.array(f"plast/{name}/{v}"))

        return get

    def _param_names(self, name: str, arrays) -> list:
        names = [k.split("/", 2)[2] for k in arrays if k.startswith(f"par/{name}/")]
        return names + self._scalar_names(name)

    def _scalar_names(self, name: str) -> list:
        if name in self.core.interfaces:
            return list(self.core.interfaces[name].params)
        if name in self.core.learning:
            return list(self.core.learning[name].hyper)
        return []

    def _param(self, item: str, pname: str):
        key = f"par/{item}/{pname}"
        if self.memory.has(key):
            return self.memory.array(key)
        names = self._scalar_names(item)
        table = "ifpar" if item in self.core.interfaces else "hyp"
        i = names.index(pname)
        return self.memory.array(f"{table}/{item}")[i:i + 1]

    def bounds(self, item: str, pname: str) -> tuple:
        if item in self.core.interfaces:
            return self.core.interfaces[item].param_bounds.get(pname, (None, None))
        if item in self.core.learning and pname in self.core.learning[item].hyper:
            return tuple(self.core.learning[item].hyper[pname][1:])
        return self.core.commands.bounds.get((item, pname), (None, None))

    def _layout_getter(self, item: str):
        def get(kind):
            if kind == "state":
                view = self.dat[item]["state"]
                return SharedMemoryLayout("np", view.shape, str(view.dtype), 0.0)
            views = self.dat[item][kind]
            out = {}
            for name in views:
                view = views[name]
                lo, hi = self.bounds(item, name) if kind == "parameter" else (None, None)
                out[name] = SharedMemoryLayout("np", view.shape, str(view.dtype), 0.0, lo, hi)
            return out
        return get

    # -- the original's accessors ---------------------------------------------------------
    def _target(self, ids):
        ids = list(ids)
        if not ids or ids[0] not in self.dat:
            raise UserError(f"shm: no item {ids[0] if ids else None!r}")
        item = self.dat[ids[0]]
        kind = ids[1] if len(ids) > 1 else "state"
        if kind not in item:
            raise UserError(f"shm: {ids[0]} has no {kind!r}")
        if kind == "state":
            return item["state"], None
        if len(ids) < 3 or ids[2] not in item[kind]:
            raise UserError(f"shm: {ids[0]} has no {kind} {ids[2] if len(ids) > 2 else None!r}")
        return item[kind][ids[2]], ids[2]

    def get_shm(self, ids):
        """The scalar, or a live view of the array named by ``[item, kind, name]``."""
        view, _ = self._target(ids)
        return view.reshape(-1)[0].item() if view.size == 1 else view

    def set_shm(self, ids, value) -> None:
        """Write ``value`` (clamped into the parameter's bounds); a shape mismatch is an
        error. Scalar settings go through the ``set`` command (logged)."""
        view, pname = self._target(ids)
        value = np.asarray(value, dtype=np.float64)
        if pname is not None and ids[1] == "parameter":
            lo, hi = self.bounds(ids[0], pname)
            value = np.clip(value, -np.inf if lo is None else lo, np.inf if hi is None else hi)
            if view.size == 1 and value.size == 1 and pname in self._scalar_names(ids[0]):
                reply = self.core.commands.execute(f"set {ids[0]} {pname} {float(value)!r}")
                if reply.startswith("error"):
                    raise UserError(f"shm.set_shm({list(ids)}): {reply}")
                return
        try:
            view[...] = np.broadcast_to(value, view.shape)
        except ValueError:
            raise UserError(f"shm.set_shm({list(ids)}): value of shape {list(value.shape)} "
                            f"does not fit {list(view.shape)}") from None
