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


__all__ = ["AVAILABLE_BACKENDS", "KNOWN_BACKENDS", "PRIMITIVES", "Backend",
           "BackendUnavailable", "get_backend"]
