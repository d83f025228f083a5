"""``load PATH``: swap a saved net (.npz snapshot or .st_net) into a running session.

Runs in the core between frames. Every name and shape is checked before anything is
written (what does not fit is listed); interface workers then load their internal state
in a PHASE_LOAD round, and plasticities forget which mailboxes they had zeroed.
"""
from __future__ import annotations

import contextlib
import os

import numpy as np

from statestream.errors import UserError
from statestream.runtime import control as C
from statestream.runtime import snapshot


def load_live(core, path: str) -> str:
    from statestream import netfile

    converted = None
    pushed = []
    try:
        source = path
        if netfile.is_net(path):
            converted = source = netfile.to_npz(path, core.save_dir)
        arrays = snapshot.load(source)
        for key, value in arrays.items():  # a broken interface state fails before any write
            if key.endswith("/__state__"):
                iface = key.split("/")[1]
                if iface not in core.interfaces:
                    raise UserError(f"unknown key {key!r}")
                try:
                    snapshot.decode_state(value)
                except (ValueError, UnicodeDecodeError) as exc:
                    raise UserError(f"{key} is corrupted ({exc})") from None
        try:
            core.load_states(source)
        except UserError as exc:
            raise UserError(str(exc).replace(source, path)) from None
        for name in core.interfaces:
            key = f"if/{name}/__state__"
            if key in arrays:
                target = os.path.join(core.save_dir, f"{name}.load.npy")
                np.save(target, arrays[key])
                pushed.append(target)
        _load_phase(core)
    finally:
        for file in pushed + ([converted] if converted else []):
            with contextlib.suppress(OSError):
                os.unlink(file)
    return f"loaded {path} (next frame {core.next_frame})"


def _load_phase(core) -> None:
    """Every worker takes part: interfaces read their state file, plasticities reset."""
    ctl = core.session.ctl
    ctl[C.PHASE] = C.PHASE_LOAD
    try:
        core.barrier.phase(range(len(core.hosts)), core._check_children)
        core._check_failed()
    finally:
        ctl[C.PHASE] = C.PHASE_IDLE
