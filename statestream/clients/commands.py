"""The core-client commands of the command language: ccs, ccmsg, ccstart, ccstop, cstat."""
from __future__ import annotations

from statestream.errors import UserError

SHOWN_MESSAGES = 20


def _host(core):
    return getattr(core, "clients", None)


NONE = "no core clients in this session"


def ccs(core) -> str:
    host = _host(core)
    if host is None:
        return NONE
    return "\n".join(f"{name}  {h.type}  {'active' if h.active else 'inactive'}"
                     f"  start frame {getattr(h.client, 'start_frame', 0)}"
                     for name, h in host.hooks.items())


def ccmsg(core, name=None) -> str:
    host = _host(core)
    if host is None:
        return NONE
    hooks = [host.hook(name)] if name is not None else list(host.hooks.values())
    lines = []
    for h in hooks:
        messages = [str(m) for m in list(getattr(h.client, "mesg", []) or [])]
        lines += [f"{h.name}: {m}" for m in messages[-SHOWN_MESSAGES:]]
    return "\n".join(lines) or "no messages"


def ccstart(core, name) -> str:
    return _switch(core, name, True)


def ccstop(core, name) -> str:
    return _switch(core, name, False)


def _switch(core, name, on: bool) -> str:
    host = _host(core)
    if host is None:
        raise UserError(NONE)
    host.hook(name).set_active(on)
    return "ok"


def cstat(core) -> str:
    host = _host(core)
    if host is None:
        return NONE
    rows = []
    for name, h in host.hooks.items():
        status = getattr(h.client, "status", None)
        extra = status() if callable(status) else ""
        per = 1000 * h.seconds / h.frames if h.frames else 0.0
        rows.append(f"{name} ({h.type}): {'active' if h.active else 'inactive'}, "
                    f"{h.frames} frames, {per:.3f} ms per frame" + (f", {extra}" if extra else ""))
    return "\n".join(rows)
