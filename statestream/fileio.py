"""Writing files atomically: a reader sees the old file or the whole new one, never a part.

The data goes to a temporary name in the same folder, is flushed and fsynced, renamed over
the target and the folder is fsynced. The file gets the user's normal permissions
(0666 minus the umask), like ``open(path, "w")``.
"""
from __future__ import annotations

import contextlib
import os
import secrets

from statestream.errors import UserError


@contextlib.contextmanager
def atomic_open(path, mode: str = "wb", what: str = "file", **kwargs):
    """``with atomic_open(path, "w") as handle: ...`` writes ``path`` atomically.

    On an exception nothing is renamed and the temporary file is removed. An OSError
    becomes a one-line UserError naming ``what`` and ``path``.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes only ('w' or 'wb'), got {mode!r}")
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
    except OSError as exc:
        raise _user_error(what, path, exc) from None
    try:
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _user_error(what, path, exc) from None
        raise
    _fsync_folder(folder)


def check_writable(path, what: str) -> None:
    """A UserError unless ``path`` can be written: its folder exists and is writable and
    ``path`` is not a folder."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UserError(f"cannot write {what} {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(f"cannot write {what} {path}: folder {folder} is not writable")
    if os.path.isdir(path):
        raise UserError(f"cannot write {what} {path}: it is a folder")


def _fsync_folder(folder: str) -> None:
    """Make the rename durable (not every file system allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _user_error(what: str, path: str, exc: OSError) -> UserError:
    return UserError(f"cannot write {what} {path}: {exc.strerror or exc}")
