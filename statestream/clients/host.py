"""Core clients in a session: created when it starts, run between frames as core hooks.

Every client is one hook of the core (named by the client), so a client that raises stops
the session with its name and traceback. ``core.clients`` is the :class:`ClientHost`
that the commands ccs, ccmsg, ccstart, ccstop and cstat use.
"""
from __future__ import annotations

import os
import sys
import time
import traceback

from statestream.clients.base import ClientSession, CoreClient
from statestream.clients.lookup import client_class
from statestream.errors import UserError


class ClientHook:
    """Runs one client's hooks at the core's between-frame points."""

    def __init__(self, name: str, ctype: str, client):
        self.name, self.type, self.client = name, ctype, client
        self.pending_start = not bool(getattr(client, "active", False))
        self.frames = 0
        self.seconds = 0.0
        self.closed = False

    @property
    def active(self) -> bool:
        return bool(getattr(self.client, "active", False))

    def set_active(self, on: bool) -> None:
        self.client.active = bool(on)
        self.pending_start = False

    def before_frame(self, k: int) -> None:
        start = int(getattr(self.client, "start_frame", 0))
        if self.pending_start and k >= start:
            self.set_active(True)
        if self.active:
            t0 = time.perf_counter()
            self.client.before_readin()
            self.client.readin()
            self.seconds += time.perf_counter() - t0

    def after_frame(self, k: int) -> None:
        if self.active:
            t0 = time.perf_counter()
            self.client.writeout()
            self.frames += 1
            self.seconds += time.perf_counter() - t0

    def close(self) -> None:
        """``interrupt()`` once, when the session ends (errors are printed, not raised)."""
        if self.closed:
            return
        self.closed = True
        try:
            self.client.interrupt()
        except Exception:  # noqa: BLE001 - the session is ending anyway
            print(f"statestream: core client {self.name} failed in interrupt():\n"
                  f"{traceback.format_exc().rstrip()}", file=sys.stderr)


class ClientHost:
    def __init__(self, core, out_dir: str):
        self.core = core
        self.out_dir = out_dir
        self.hooks: dict = {}

    @property
    def ends_session(self) -> bool:
        return any(getattr(h.client, "ends_session", False) for h in self.hooks.values())

    def hook(self, name: str) -> ClientHook:
        if name not in self.hooks:
            known = ", ".join(self.hooks) or "none"
            raise UserError(f"no core client {name!r} (clients: {known})")
        return self.hooks[name]


def out_folder(out_dir: str | None) -> str:
    """The clients' output folder (created when missing; its parent must exist)."""
    path = os.path.abspath(out_dir or os.getcwd())
    if not os.path.isdir(path):
        parent = os.path.dirname(path)
        if not os.path.isdir(parent):
            raise UserError(f"--out {out_dir}: folder {parent} does not exist")
        try:
            os.mkdir(path)
        except OSError as exc:
            raise UserError(f"--out {out_dir}: cannot create it: {exc.strerror}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise UserError(f"--out {out_dir}: folder {path} is not writable")
    return path


def start_clients(core, out_dir: str | None = None):
    """Create the graph's core clients, call their ``initialize()`` and register them
    with the core; returns the host (None without clients)."""
    from statestream.runtime.core import ItemFailed
    from statestream.utils.core_client import STCClient, compat_arguments

    graph = core.graph
    if not graph.core_clients:
        return None
    host = ClientHost(core, out_folder(out_dir))
    session = ClientSession(core, host.out_dir, out_dir is not None)
    for name, item in graph.core_clients.items():
        cls = client_class(item.type, graph.file)
        try:
            if issubclass(cls, STCClient):
                client = cls(name, *compat_arguments(core, host.out_dir))
            elif issubclass(cls, CoreClient):
                client = cls(name, _plain(item.spec), session)
            else:
                raise UserError(f"CClient_{item.type} derives neither from STCClient nor "
                                "from statestream.clients.base.CoreClient")
        except UserError:
            raise
        except Exception:  # noqa: BLE001 - named with its traceback
            raise ItemFailed(name, traceback.format_exc().rstrip()) from None
        host.hooks[name] = ClientHook(name, item.type, client)
    core.clients = host
    for name, hook in host.hooks.items():
        try:
            hook.client.initialize()
        except Exception:  # noqa: BLE001
            raise ItemFailed(name, traceback.format_exc().rstrip()) from None
        core.add_hook(hook)
    return host


def _plain(spec) -> dict:
    from statestream.graph.nodes import to_plain

    return to_plain(spec)
