"""Starting a terminal: ``statestream run FILE`` (owner), ``--detach`` (a headless server
in its own process session, then attached) and ``statestream attach [ID]``."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

from statestream.errors import UserError


class HangUp(BaseException):
    """The terminal was closed (SIGHUP) or the process was asked to stop (SIGTERM)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.code = 128 + signum


def _raise_hangup(signum, frame):
    """Raise HangUp; inside the prompt, make the prompt raise it (an exception raised in
    its event loop would be caught there and printed)."""
    from prompt_toolkit.application.current import get_app_or_none

    app = get_app_or_none()
    future = getattr(app, "future", None)
    if app is not None and app.is_running and future is not None and not future.done():
        app.loop.call_soon_threadsafe(_exit_prompt, app, signum)
        return
    raise HangUp(signum)


def _exit_prompt(app, signum: int) -> None:
    if app.is_running and not app.future.done():
        app.exit(exception=HangUp(signum))


@contextlib.contextmanager
def hangup_raises():
    saved = {s: signal.signal(s, _raise_hangup) for s in (signal.SIGHUP, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def settings(args):
    """The user configuration with the command line on top (and visible devices applied)."""
    from statestream import config

    cfg = config.load()
    if args.threads is None:
        args.threads = cfg["threads"]
    if args.backend is None and cfg["backend"]:
        args.backend = cfg["backend"]
    if getattr(args, "memory", None) is None:
        args.memory = cfg["memory"]
    devices = cfg["visible_devices"]
    if devices is not None and "STATESTREAM_VISIBLE_DEVICES" not in os.environ:
        os.environ["STATESTREAM_VISIBLE_DEVICES"] = ",".join(str(d) for d in devices)
    return cfg


@contextlib.contextmanager
def session_file(args):
    """``args.file`` and ``args.init_states`` made ready; an .st_net becomes a temporary
    graph and snapshot (removed on the way out); yields the saved schedule or None."""
    from statestream.netfile import is_net
    from statestream.terminal.saving import opened_net

    if not is_net(args.file):
        yield None
        return
    if args.init_states:
        raise UserError("an .st_net file brings its own states: drop --init-states")
    with opened_net(args.file) as (graph_file, init, schedule):
        args.file, args.init_states = graph_file, init
        yield schedule


def open_session(args, schedule):
    import statestream
    from statestream.cli.common import prepare_graph
    from statestream.runtime.core import print_progress
    from statestream.terminal.saving import apply_schedule

    from statestream.runtime.core import ItemFailed

    graph, backend = prepare_graph(args)
    try:
        session = statestream.open(graph, seed=args.seed, backend=backend,
                                   threads=args.threads, device=args.device,
                                   synthetic_inputs=args.synthetic_inputs,
                                   learning=not args.no_learning, memory=args.memory,
                                   init_states=args.init_states, progress=print_progress)
    except ItemFailed as exc:
        raise UserError(f"{exc.what} failed: {exc.message}") from None
    try:
        if schedule:
            for problem in apply_schedule(session, schedule):
                print(f"statestream: could not restore {problem}", file=sys.stderr)
        if args.split:
            session.command(f"split {args.split}")
    except BaseException:
        session.close()
        raise
    return session


def run_terminal(args) -> int:
    """``statestream run FILE`` without --headless."""
    cfg = settings(args)
    if args.detach:
        return _detached(args, cfg)
    with hangup_raises():
        try:
            with session_file(args) as schedule:
                session = open_session(args, schedule)
            try:
                if args.headless_serve:
                    return _serve(session)
                return _drive(session, True, args, cfg)
            finally:
                session.close()
        except HangUp as exc:
            return exc.code


def run_attached(session_id, args) -> int:
    import statestream

    cfg = settings(args)
    with hangup_raises():
        try:
            session = statestream.attach(session_id)
        except HangUp as exc:
            return exc.code
        try:
            return _drive(session, False, args, cfg)
        except HangUp as exc:
            return exc.code
        finally:
            session.close()


def _drive(session, owner: bool, args, cfg) -> int:
    from statestream.config import state_dir
    from statestream.terminal.commands import Terminal
    from statestream.terminal.script import read_lines, run_lines

    terminal = Terminal(session, owner, cfg["save_path"], cfg["profiler_window"])
    failures, end = 0, ""
    try:
        if getattr(args, "frames", None):
            result = terminal.execute(f"step {args.frames}")
            failures += not result.ok
        if args.commands:
            failed, end = run_lines(terminal, read_lines(args.commands), args.commands)
            failures += failed
        if not end:
            if sys.stdin.isatty() and sys.stdout.isatty():
                from statestream.terminal.repl import interactive

                end = interactive(terminal, os.path.join(state_dir(), "history"),
                                  cfg["history_size"])
            else:
                failed, end = run_lines(terminal, sys.stdin, "<stdin>")
                failures += failed
        if end == "gone":
            return 1
        if owner and getattr(args, "save_states", None):
            session.save(args.save_states)
    finally:
        terminal.close()
    return 2 if failures and args.strict else 0


def _serve(session) -> int:
    """The headless server of a detached session: runs until the session is ended."""
    print(f"session {session.id}", flush=True)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    while True:
        try:
            session._alive()
        except UserError:
            return 0
        time.sleep(0.2)


def server_argv(argv: list) -> list:
    """The server's command line: the user's without the terminal's own options."""
    out, skip = [], False
    for word in argv:
        if skip:
            skip = False
            continue
        if word in ("--detach", "--strict"):
            continue
        if word == "--commands":
            skip = True
            continue
        if word.startswith("--commands="):
            continue
        out.append(word)
    if out and out[0] != "run":
        out.insert(0, "run")
    return [sys.executable, "-m", "statestream"] + out + ["--headless-serve"]


def _detached(args, cfg) -> int:
    """Start the session in a server process of its own, then attach this terminal."""
    server = subprocess.Popen(server_argv(args.argv), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              start_new_session=True, text=True)
    first = server.stdout.readline()
    if not first.startswith("session "):
        _, errors = server.communicate(timeout=30)
        sys.stderr.write(errors)
        return server.returncode or 1
    server.stdout.close()
    server.stderr.close()
    sid = first.split()[1]
    print(f"session {sid} runs detached: statestream attach {sid} joins it", flush=True)
    return run_attached(sid, args)
