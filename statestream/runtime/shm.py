"""Named shared-memory files of a session (POSIX shm via files in /dev/shm).

We map files ourselves instead of using ``multiprocessing.shared_memory``: its resource
tracker unlinks a segment when any attaching process exits (Python 3.11), and we want
the owner alone to decide. Every file of session ``sid`` is named ``statestream-<sid>*``.
"""
from __future__ import annotations

import errno
import glob
import json
import mmap
import os
import secrets
import shutil
import tempfile

from statestream.errors import UserError

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


def save_dir(sid: str) -> str:
    """A folder for the session's temporary files (removed with the session)."""
    return os.path.join(shm_dir(), f"{PREFIX}{sid}.save")


def free_bytes(folder: str | None = None) -> int:
    stat = os.statvfs(folder or shm_dir())
    return stat.f_bavail * stat.f_frsize


def _mib(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB"


class Segment:
    """A mapped shared-memory file; ``buf`` is a writable memoryview-like mmap.

    A new segment is refused when it cannot fit, and its space is reserved up front
    (posix_fallocate), so that no later write can fail with SIGBUS.
    """

    def __init__(self, path: str, size: int, create: bool):
        if create and size > free_bytes(os.path.dirname(path)):
            raise UserError(f"the session needs {_mib(size)} of shared memory, but only "
                            f"{_mib(free_bytes(os.path.dirname(path)))} are free in "
                            f"{os.path.dirname(path)}")
        flags = os.O_RDWR | (os.O_CREAT | os.O_EXCL if create else 0)
        fd = os.open(path, flags, 0o600)
        try:
            if create:
                _reserve(fd, path, max(size, 1))
            else:
                size = os.fstat(fd).st_size
            self.buf = mmap.mmap(fd, size)
        except BaseException:
            os.close(fd)
            if create:
                _remove(path)
            raise
        os.close(fd)
        self.path = path
        self.size = size

    def close(self) -> None:
        try:
            self.buf.close()
        except BufferError:
            pass  # numpy views still alive; the mapping goes with the process


def _reserve(fd: int, path: str, size: int) -> None:
    try:
        os.posix_fallocate(fd, 0, size)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EINVAL, getattr(errno, "ENOTSUP", 0)):
            os.ftruncate(fd, size)  # a file system without fallocate: size it at least
            return
        if exc.errno in (errno.ENOSPC, errno.ENOMEM, errno.EFBIG):
            raise UserError(f"the session needs {_mib(size)} of shared memory, which "
                            f"{os.path.dirname(path)} cannot hold") from None
        raise


def _remove(path: str) -> bool:
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
        return True
    except FileNotFoundError:
        return False


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
    return [path for path in session_files(sid) if _remove(path)]


def _session_ids() -> dict:
    """sid -> layout path (or None when only other files of the session exist)."""
    found: dict = {}
    for path in glob.glob(os.path.join(shm_dir(), f"{PREFIX}*")):
        base = os.path.basename(path)[len(PREFIX):]
        sid = base.split(".", 1)[0]
        if base.endswith(".json") and "." not in base[:-5]:
            found[sid] = path
        else:
            found.setdefault(sid, None)
    return found


def live_sessions() -> list[dict]:
    """Layouts of sessions whose owner process is alive."""
    out = []
    for sid, path in _session_ids().items():
        if path is None:
            continue
        try:
            layout = read_json(path)
        except (OSError, ValueError):
            continue
        if core_alive(layout):
            out.append(layout)
    return out


def core_alive(layout: dict) -> bool:
    """Whether the session's core runs: its PID is alive and started when it did."""
    pid = int(layout.get("owner_pid", 0) or 0)
    if not process_alive(pid):
        return False
    started = layout.get("owner_start")
    return started is None or process_start(pid) in (None, started)


def stale_sessions() -> list[str]:
    """Ids of this user's sessions whose core is provably gone (PID dead, or reused by a
    process that started later). Files that cannot be read are left alone."""
    stale = []
    uid = os.getuid()
    for sid, path in _session_ids().items():
        files = session_files(sid)
        try:
            if any(os.lstat(f).st_uid != uid for f in files):
                continue
            if path is not None:
                layout = read_json(path)
            else:  # files without a layout: the core died while creating the session
                pid = int(sid.split("-", 1)[0])
                newest = max(os.lstat(f).st_mtime for f in files)
                start = process_start_time(pid)
                if process_alive(pid) and (start is None or start <= newest):
                    continue
                stale.append(sid)
                continue
        except (OSError, ValueError, TypeError):
            continue
        if not core_alive(layout):
            stale.append(sid)
    return stale


def process_start(pid: int):
    """The start time of ``pid`` in clock ticks since boot (None when unknown)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def process_start_time(pid: int):
    """The start of ``pid`` as wall time (None when unknown)."""
    ticks = process_start(pid)
    if ticks is None:
        return None
    try:
        with open("/proc/stat") as handle:
            boot = next(int(line.split()[1]) for line in handle if line.startswith("btime"))
    except (OSError, StopIteration, ValueError):
        return None
    return boot + ticks / os.sysconf("SC_CLK_TCK")


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
