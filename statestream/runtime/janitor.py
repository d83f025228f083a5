"""A tiny watcher process that removes a session's files once its core has exited.

It is started with the session, in its own process session (so Ctrl-C at the terminal
does not reach it), and waits on a pidfd of the core: no PID polling, no PID reuse. It
covers every way a core can end (normal exit, an exception, SIGTERM, kill -9), including
moments before any worker exists.
"""
from __future__ import annotations

import os
import subprocess
import sys

_SCRIPT = r"""
import glob, os, select, shutil, sys, time
pid, pattern = int(sys.argv[1]), sys.argv[2]
try:
    fd = os.pidfd_open(pid)
    select.select([fd], [], [])
except (AttributeError, OSError):
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
for path in glob.glob(pattern):
    try:
        shutil.rmtree(path) if os.path.isdir(path) else os.unlink(path)
    except OSError:
        pass
"""


def start_janitor(pattern: str):
    """Watch this process; remove the files matching ``pattern`` when it has exited."""
    return subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", _SCRIPT, str(os.getpid()), pattern],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, close_fds=True)
