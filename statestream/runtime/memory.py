"""Keep freed memory in the process (glibc): avoids fresh, zero-filled pages every frame.

Tensors of a few MB are allocated and freed each frame; by default glibc returns such
blocks to the kernel, and every frame then pays thousands of page faults.
"""
from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
_done = False


def keep_freed_memory(limit_bytes: int = 512 * 2**20) -> bool:
    """Serve allocations up to ``limit_bytes`` from the heap and never trim it (Linux)."""
    global _done
    if _done:
        return True
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    ok = mallopt(M_MMAP_THRESHOLD, int(limit_bytes)) == 1
    ok = mallopt(M_TRIM_THRESHOLD, 2**30) == 1 and ok
    _done = ok
    return ok
