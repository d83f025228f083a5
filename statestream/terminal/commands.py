"""What the terminal does with one typed line: its own commands (savenet, savegraph, viz,
shm, wait, until, ...) or the session's command language (``session.command``).

Nothing typed can raise: every mistake becomes a failed :class:`Result` with one line
naming the command's usage.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from statestream.errors import UserError
from statestream.runtime.commands import COMMANDS, MAX_LINE, CommandError, split_line

CLIENT_COMMANDS = {  # core-client commands: executed by the runtime
    "ccs": ("ccs", "list the core clients"),
    "ccmsg": ("ccmsg NAME", "the latest messages of a core client"),
    "ccstart": ("ccstart NAME", "activate a core client"),
    "ccstop": ("ccstop NAME", "deactivate a core client"),
    "cstat": ("cstat [N]", "table of the processes: state, device, read/write ms, period"),
}
LOCAL = {  # name: (usage, help, fewest args, most args)
    "savenet": ("savenet PATH", "save the whole session as an .st_net file (HDF5)", 1, 1),
    "savegraph": ("savegraph PATH", "write the expanded graph with the current settings", 1, 1),
    "viz": ("viz on|off", "start or stop the GUI (statestream viz)", 1, 1),
    "rv": ("rv on|off", "start or stop the GUI's rollout view (statestream viz ID --open "
           "rollout)", 1, 1),
    "clean": ("clean on|off", "clear the screen before every reply", 1, 1),
    "profile": ("profile core", "frame time of the core: mean and max deviation", 1, 1),
    "shm": ("shm [np|par|if|NAME [INDEX]]", "browse the readable arrays (INDEX like 0,:,3)",
            0, 2),
    "wait": ("wait N", "wait until N more frames are computed", 1, 1),
    "until": ("until frame K", "wait until frame K is computed", 2, 2),
    "detach": ("detach", "leave this terminal; the session goes on", 0, 0),
}
MAX_WAIT_FRAMES = 10**9
STALL_S = 2.0  # a wait on a paused session that does not move fails after this


@dataclass
class Result:
    ok: bool
    text: str
    end: str = ""  # "exit" (session ends), "detach" (it goes on) or "gone" (it ended)


def usage_of(name: str) -> str | None:
    if name in LOCAL:
        return LOCAL[name][0]
    if name in CLIENT_COMMANDS:
        return CLIENT_COMMANDS[name][0]
    if name in COMMANDS:
        return COMMANDS[name].usage
    return None


def all_commands() -> list:
    return sorted(set(COMMANDS) | set(LOCAL) | set(CLIENT_COMMANDS))


def help_text(topic: str | None = None) -> str:
    if topic is None:
        return "commands: " + ", ".join(all_commands()) + " (help COMMAND for one)"
    if topic in LOCAL:
        return f"{LOCAL[topic][0]}: {LOCAL[topic][1]}"
    if topic in CLIENT_COMMANDS:
        return f"{CLIENT_COMMANDS[topic][0]}: {CLIENT_COMMANDS[topic][1]}"
    if topic in COMMANDS:
        return f"{COMMANDS[topic].usage}: {COMMANDS[topic].help}"
    raise CommandError(f"no command {topic[:40]!r} (try help)")


class Terminal:
    """Executes lines on a session (owned or attached)."""

    def __init__(self, session, owner: bool, save_path: str = ".", window: int = 16):
        self.session = session
        self.owner = owner
        self.save_path = save_path
        self.window = window
        self.clean = False
        self.children: dict = {}  # "viz" / "rv": the GUI child processes

    def execute(self, line: str) -> Result:
        result = self._execute(line)
        if not result.end:
            try:
                self.session._alive()
            except UserError as exc:  # the session ended under us (exit elsewhere, a crash)
                gone = " ".join(str(exc).split())
                return Result(False, f"{result.text}\nerror: {gone}".lstrip(), end="gone")
        return result

    def _execute(self, line: str) -> Result:
        try:
            words = split_line(line)
            if not words:
                return Result(True, "")
            return self._dispatch(words[0], words[1:], line)
        except KeyboardInterrupt:
            return Result(False, "error: interrupted (the session goes on)")
        except (CommandError, UserError, ValueError, IndexError, OSError) as exc:
            message = " ".join(str(exc).split()) or type(exc).__name__
            return Result(False, "error: " + message[:MAX_LINE])

    def _dispatch(self, name: str, args: list, line: str) -> Result:
        if name in ("help", "?"):
            if len(args) > 1:
                raise CommandError("usage: help [COMMAND]")
            return Result(True, help_text(args[0] if args else None))
        if name in LOCAL:
            usage, _, low, high = LOCAL[name]
            if not low <= len(args) <= high:
                raise CommandError(f"usage: {usage}")
            try:
                return Result(True, getattr(self, f"_do_{name}")(*args))
            except (CommandError, ValueError, IndexError, UserError) as exc:
                text = " ".join(str(exc).split())
                raise CommandError(text if "usage" in text else f"{text} (usage: {usage})") \
                    from None
        if name == "exit":
            if args:
                raise CommandError("usage: exit")
            if not self.owner:
                try:
                    self.session.exit()
                except (UserError, OSError):  # it may close its channel before replying
                    pass
            return Result(True, "session ends", end="exit")
        if name in ("save", "load") and len(args) == 1:
            from statestream.terminal.saving import resolve

            line = f"{name} {resolve(args[0], '.')}"
        before = self.session.frame  # read before the command: step may finish at once
        reply = self.session.command(line)
        if reply.startswith("error:"):
            usage = usage_of(name)
            if usage and "usage" not in reply and not reply.startswith("error: unknown"):
                reply += f" (usage: {usage})"
            return Result(False, reply)
        if name == "step" and len(args) <= 1:
            return self._wait_steps(before + (int(args[0]) if args else 1))
        return Result(True, reply)

    # -- waiting -----------------------------------------------------------------------------
    def _wait_steps(self, target: int) -> Result:
        try:
            self._wait_for(target, stall=False)
        except KeyboardInterrupt:  # Ctrl-C: stop the frames still asked for
            self.session.command("pause")
            return Result(False, f"error: interrupted at frame {self.session.frame}: paused, "
                          "the remaining steps dropped")
        return Result(True, f"frame {self.session.frame}")

    def _wait_for(self, target: int, stall: bool = True) -> None:
        """Until frame ``target``; a paused session that does not move fails (``stall``)."""
        last, since = self.session.frame, time.monotonic()
        while self.session.frame < target:
            self.session._alive()
            frame = self.session.frame
            if frame != last:
                last, since = frame, time.monotonic()
            elif stall and not self.session.streaming and time.monotonic() - since > STALL_S:
                raise CommandError(f"the session is paused at frame {frame} (stream first)")
            time.sleep(0.002)

    def _do_wait(self, n: str) -> str:
        count = _whole(n, "N", 0, MAX_WAIT_FRAMES)
        self._wait_for(self.session.frame + count)
        return f"frame {self.session.frame}"

    def _do_until(self, word: str, k: str) -> str:
        if word != "frame":
            raise CommandError("usage: until frame K")
        self._wait_for(_whole(k, "K", 0, MAX_WAIT_FRAMES))
        return f"frame {self.session.frame}"

    # -- saving ------------------------------------------------------------------------------
    def _do_savenet(self, path: str) -> str:
        from statestream.terminal.saving import resolve, savenet

        path = resolve(path, self.save_path)
        if not path.endswith(".st_net"):
            path += ".st_net"
        return savenet(self.session, path)

    def _do_savegraph(self, path: str) -> str:
        from statestream.terminal.saving import resolve, savegraph

        path = resolve(path, self.save_path)
        if not path.endswith(".st_graph"):
            path += ".st_graph"
        return savegraph(self.session, path)

    # -- views -------------------------------------------------------------------------------
    def _do_viz(self, switch: str) -> str:
        from statestream.terminal.viz import viz_switch

        return viz_switch(self, _on_off(switch))

    def _do_rv(self, switch: str) -> str:
        from statestream.terminal.viz import viz_switch

        return viz_switch(self, _on_off(switch), "rv")

    def _do_clean(self, switch: str) -> str:
        self.clean = _on_off(switch)
        return f"clean {switch}"

    def _do_shm(self, *args) -> str:
        from statestream.terminal.shm_browser import browse

        return browse(self.session, list(args))

    def _do_profile(self, what: str) -> str:
        if what != "core":
            raise CommandError("usage: profile core")
        return profile_core(self.session, self.window)

    def _do_detach(self) -> str:
        if self.owner:
            raise CommandError("this terminal owns the session: use exit (or start it with "
                               "--detach)")
        return "detached"

    def close(self) -> None:
        from statestream.terminal.viz import stop_viz

        stop_viz(self)


def profile_core(session, window: int, budget_s: float = 2.0) -> str:
    """Mean and max deviation of the time between frames over ``window`` frames."""
    times, last = [], session.frame
    end = time.monotonic() + budget_s
    while len(times) <= window and time.monotonic() < end:
        frame = session.frame
        if frame != last:
            times.append(time.perf_counter())
            last = frame
        time.sleep(0.0005)
    if len(times) < 3:
        return "the core computes no frames (paused): nothing to profile"
    gaps = [b - a for a, b in zip(times, times[1:])]
    mean = sum(gaps) / len(gaps)
    dev = max(abs(g - mean) for g in gaps)
    return (f"core: {1000 * mean:.2f} ms per frame +- {1000 * dev:.2f} ms over {len(gaps)} "
            f"frames ({1 / mean:.1f} frames/s)")


def _on_off(word: str) -> bool:
    if word not in ("on", "off"):
        raise CommandError(f"expected on or off, got {word[:40]!r}")
    return word == "on"


def _whole(word: str, name: str, low: int, high: int) -> int:
    if not word.lstrip("+-").isdigit() or len(word) > 12:
        raise CommandError(f"{name} must be a whole number, got {word[:40]!r}")
    value = int(word)
    if not low <= value <= high:
        raise CommandError(f"{name} must lie in [{low}, {high}], got {value}")
    return value
