"""Array backends: the only place that imports an array library for math.

``get_backend("torch")`` / ``get_backend("numpy")`` return a cached ``Backend``
whose methods are the primitives (``base.PRIMITIVES``) and the catalogue
functions (``statestream.graph.functions.FUNCTIONS``). torch is imported lazily.
"""
from __future__ import annotations

from .base import PRIMITIVES, Backend, BackendUnavailable

KNOWN_BACKENDS = ("numpy", "torch", "tensorflow", "theano", "pytensor")
AVAILABLE_BACKENDS = ("numpy", "torch")

_INSTANCES: dict[tuple[str, str], Backend] = {}
_HINT = "pass --backend torch (or --backend numpy)"


def _backend_class(name: str):
    if name == "numpy":
        from .numpy_backend import NumpyBackend
        return NumpyBackend
    try:
        from .torch_backend import TorchBackend
    except ImportError as error:
        raise BackendUnavailable(f"the torch backend needs PyTorch ({error}); "
                                 "install torch or pass --backend numpy") from None
    return TorchBackend


def get_backend(name: str = "torch", device: str = "cpu", threads: int | None = None) -> Backend:
    """The backend ``name`` on ``device`` (one cached instance per pair)."""
    key_name = str(name).lower()
    if key_name not in AVAILABLE_BACKENDS:
        if key_name in KNOWN_BACKENDS:
            raise BackendUnavailable(f"the {key_name} backend is not available in this "
                                     f"version of statestream; {_HINT}")
        raise BackendUnavailable(f"unknown backend {name!r}; {_HINT}")
    key = (key_name, str(device))
    backend = _INSTANCES.get(key)
    if backend is None:
        backend = _INSTANCES[key] = _backend_class(key_name)(str(device))
    if threads is not None:
        backend.set_threads(threads)
    return backend


def preload_modules(name: str) -> list:
    """Modules a worker process of backend ``name`` should find imported (forkserver)."""
    return ["torch"] if str(name).lower() == "torch" else []


def worker_device(item_device: str | None, forced: str | None, visible: list) -> str:
    """The torch device of an item: ``forced`` (--device) wins; ``gpu:N``/``cuda:N`` of
    the graph name the N-th visible GPU."""
    if forced:
        return forced
    if not item_device or item_device == "cpu":
        return "cpu"
    index = int(str(item_device).split(":")[1])
    return f"cuda:{visible[index] if index < len(visible) else index}"


def device_problem(device: str | None) -> str | None:
    """Why ``device`` (cpu, cuda:N, gpu:N) cannot be used here, or None."""
    if device is None or device == "cpu":
        return None
    head, _, index = str(device).partition(":")
    if head not in ("cuda", "gpu") or not index.isdigit():
        return f"unknown device {device!r} (use cpu or cuda:N)"
    try:
        import torch
    except ImportError:
        return f"device {device} needs PyTorch with CUDA"
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if int(index) >= count:
        found = f"{count} GPU{'s' if count != 1 else ''}" if count else "no GPU"
        return f"device {device} is not available: this machine has {found}; use cpu"
    return None


__all__ = ["device_problem", "preload_modules", "worker_device", "AVAILABLE_BACKENDS", "KNOWN_BACKENDS", "PRIMITIVES", "Backend",
           "BackendUnavailable", "get_backend"]
