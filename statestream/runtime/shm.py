"""Named shared-memory files of a session (POSIX shm via files in /dev/shm).

We map files ourselves instead of using ``multiprocessing.shared_memory``: its resource
tracker unlinks a segment when any attaching process exits (Python 3.11), and we want
the owner alone to decide. Every file of session ``sid`` is named ``statestream-<sid>*``.
"""
from __future__ import annotations

import glob
import json
import mmap
import os
import secrets
import tempfile

PREFIX = "statestream-"


def shm_dir() -> str:
    folder = os.environ.get("STATESTREAM_SHM_DIR")
    if folder:
        return folder
    return "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()


def new_session_id() -> str:
    return f"{os.getpid()}-{secrets.token_hex(3)}"


def data_path(sid: str) -> str:
    return os.path.join(shm_dir(), f"{PREFIX}{sid}")


def layout_path(sid: str) -> str:
    return os.path.join(shm_dir(), f"{PREFIX}{sid}.json")


def session_files(sid: str) -> list[str]:
    return sorted(glob.glob(os.path.join(shm_dir(), f"{PREFIX}{glob.escape(sid)}*")))


class Segment:
    """A mapped shared-memory file; ``buf`` is a writable memoryview-like mmap."""

    def __init__(self, path: str, size: int, create: bool):
        flags = os.O_RDWR | (os.O_CREAT | os.O_EXCL if create else 0)
        fd = os.open(path, flags, 0o600)
        try:
            if create:
                os.ftruncate(fd, max(size, 1))
            else:
                size = os.fstat(fd).st_size
            self.buf = mmap.mmap(fd, size)
        finally:
            os.close(fd)
        self.path = path
        self.size = size

    def close(self) -> None:
        try:
            self.buf.close()
        except BufferError:
            pass  # numpy views still alive; the mapping goes with the process


def write_json(path: str, data: dict) -> None:
    """Atomically create ``path`` with ``data`` (readers never see a partial file)."""
    folder = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=".statestream-", dir=folder)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle)
    os.replace(tmp, path)


def read_json(path: str) -> dict:
    with open(path) as handle:
        return json.load(handle)


def unlink_session(sid: str) -> list[str]:
    """Remove every file of session ``sid``; returns what was removed."""
    removed = []
    for path in session_files(sid):
        try:
            os.unlink(path)
            removed.append(path)
        except FileNotFoundError:
            pass
    return removed


def live_sessions() -> list[dict]:
    """Layouts of sessions whose owner process is alive."""
    out = []
    for path in glob.glob(os.path.join(shm_dir(), f"{PREFIX}*.json")):
        try:
            layout = read_json(path)
        except (OSError, ValueError):
            continue
        if process_alive(int(layout.get("owner_pid", 0))):
            out.append(layout)
    return out


def stale_sessions() -> list[str]:
    """Session ids whose owner process is gone (left behind by a hard kill)."""
    stale = []
    for path in glob.glob(os.path.join(shm_dir(), f"{PREFIX}*.json")):
        sid = os.path.basename(path)[len(PREFIX):-len(".json")]
        try:
            pid = int(read_json(path).get("owner_pid", 0))
        except (OSError, ValueError):
            pid = 0
        if not process_alive(pid):
            stale.append(sid)
    return stale


def process_alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie counts as dead: its parent just has not reaped it)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return True  # no /proc: trust kill(0)
