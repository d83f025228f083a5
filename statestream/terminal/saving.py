"""savenet / savegraph and resuming from an .st_net, all through the session API."""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile

from statestream import netfile
from statestream.errors import UserError

SECTIONS = ("neuron_pools", "synapse_pools", "plasticities", "interfaces")
_ITEM_ROW = re.compile(r"^(\S+)\s+(\S+)\s+period (\d+)\s+offset (\d+)\s+(\w+)$")
_STATUS = re.compile(r"split (\d+), delay ([0-9.e+-]+) ms")


def resolve(path: str, save_path: str = ".") -> str:
    """An absolute path: relative paths are taken from ``save_path`` (the config)."""
    path = os.path.expanduser(path)
    if not os.path.isabs(path):
        path = os.path.join(os.path.expanduser(save_path or "."), path)
    return os.path.abspath(path)


def schedule_of(session) -> dict:
    """Periods, offsets and modes of every item, the split and the delay (from commands)."""
    items = {}
    for row in session.command("items").splitlines():
        match = _ITEM_ROW.match(row.strip())
        if match:
            name, _, period, offset, mode = match.groups()
            items[name] = {"period": int(period), "offset": int(offset), "mode": mode}
    status = _STATUS.search(session.command("status"))
    split, delay = (int(status.group(1)), float(status.group(2))) if status else (0, 0.0)
    return {"items": items, "split": split, "delay_ms": delay}


def apply_schedule(session, schedule: dict) -> list:
    """The commands that restore a saved schedule; returns the replies that failed."""
    lines = []
    for name, row in schedule.get("items", {}).items():
        lines += [f"period {name} {row['period']}", f"offset {name} {row['offset']}"]
        lines.append({"paused": f"pause {name}", "off": f"off {name}"}.get(
            row["mode"], f"resume {name}"))
    lines += [f"split {schedule.get('split', 0)}", f"delay {schedule.get('delay_ms', 0.0)}"]
    replies = [(line, session.command(line)) for line in lines]
    return [f"{line}: {reply}" for line, reply in replies if reply.startswith("error")]


def savenet(session, path: str) -> str:
    """Write the whole session as .st_net (HDF5) atomically."""
    from statestream.fileio import check_writable

    check_writable(path, ".st_net file")
    folder = tempfile.mkdtemp(prefix="statestream-savenet-")
    try:
        snapshot = os.path.join(folder, "snapshot.npz")
        session.save(snapshot)
        from statestream.runtime import snapshot as snap

        arrays = snap.load(snapshot)
        from statestream.graph.yamlio import dump_text

        netfile.write(path, arrays, dump_text(current_graph_dict(session)[0]),
                      schedule_of(session))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return f"saved {path} (next frame {int(arrays['meta/frame'])}, {len(arrays)} arrays)"


def current_graph_dict(session) -> tuple:
    """The expanded graph with every scalar setting at its current value, and the settings
    changed by ``set`` that a graph cannot express (e.g. a bias)."""
    import copy

    from statestream.graph import parse_graph
    from statestream.graph.yamlio import dump_text

    data = copy.deepcopy(session.graph.to_dict())
    for section in SECTIONS:
        for item, spec in (data.get(section) or {}).items():
            for key, value in list(spec.items()):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    continue
                current = _get(session, item, key)
                if current is not None and current != f"{float(_float32(value)):g}":
                    new = float(current)
                    spec[key] = int(new) if isinstance(value, int) and new.is_integer() else new
    unexpressed = []
    for item, key in _changed(session):
        spec = next((data[s][item] for s in SECTIONS if item in (data.get(s) or {})), None)
        current = _get(session, item, key)
        if spec is None or key in spec or current is None:
            continue
        spec[key] = float(current)
        try:
            parse_graph(dump_text(data))
        except Exception:  # noqa: BLE001 - not a key of this item in a graph file
            del spec[key]
            unexpressed.append(f"{item}.{key} = {current}")
    return data, unexpressed


def _get(session, item: str, key: str):
    """The current value as ``get`` prints it, or None."""
    match = re.fullmatch(r"\S+ = (\S+)", session.command(f"get {item} {key}"))
    return match.group(1) if match else None


def _changed(session) -> list:
    """(item, name) of every setting changed by ``set`` (from the manipulation log)."""
    found = re.findall(r"^frame -?\d+: (\S+)\.([^.\s]+) ", session.command("log"), re.M)
    return list(dict.fromkeys(found))


def _float32(value):
    import numpy as np

    return np.float32(value)


def savegraph(session, path: str) -> str:
    from statestream.fileio import atomic_open
    from statestream.graph import parse_graph
    from statestream.graph.yamlio import dump_text

    data, unexpressed = current_graph_dict(session)
    text = dump_text(data)
    parse_graph(text, file=path)  # what we write must read back
    log = session.command("log")
    header = [f"# expanded graph of session {session.id} at frame {session.frame}",
              "# with the current values of its scalar settings; manipulation log:"]
    header += [f"#   {line}" for line in log.splitlines()]
    if unexpressed:
        header.append("# changed settings a graph file cannot hold (they are in savenet "
                      "files): " + ", ".join(unexpressed))
    with atomic_open(path, "w", what="graph file") as handle:
        handle.write("\n".join(header) + "\n" + text)
    return f"saved {path}"


@contextlib.contextmanager
def opened_net(path: str):
    """``(graph_file, init_npz, schedule)`` of an .st_net in a temporary folder (removed)."""
    arrays, graph_yaml, schedule = netfile.read(path)
    folder = tempfile.mkdtemp(prefix="statestream-resume-")
    try:
        name = os.path.basename(path)[: -len(".st_net")] or "net"
        graph_file = os.path.join(folder, f"{name}.st_graph")
        with open(graph_file, "w", encoding="utf-8") as handle:
            handle.write(graph_yaml)
        from statestream.runtime import snapshot

        init = os.path.join(folder, "init.npz")
        snapshot.save(init, arrays)
        yield graph_file, init, schedule
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def check_net_file(path: str) -> None:
    if not os.path.isfile(path):
        raise UserError(f"{path}: file not found")
