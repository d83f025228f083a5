"""Where the class of a core-client type T comes from, in this order:

1. a file ``core_clients/T.py`` beside the graph file, then in each folder of the search
   path ($STATESTREAM_PATH, the package examples);
2. the built-in clients (:mod:`statestream.clients.catalogue`);
3. the entry points of group ``statestream.core_clients`` (name T).

A module provides the type with a class ``CClient_T`` (the original's convention).
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import traceback

from statestream.clients.catalogue import BUILTIN_MODULES, ENTRY_POINT_GROUP
from statestream.errors import UserError


def client_folders(graph_file: str | None) -> list:
    from statestream.graph.expand import search_path

    folders = [os.path.dirname(os.path.abspath(graph_file))] if graph_file else []
    paths = search_path()  # the examples, then $STATESTREAM_PATH
    return folders + [os.path.abspath(p) for p in paths[1:] + paths[:1]]


def client_file(ctype: str, graph_file: str | None) -> str | None:
    for folder in client_folders(graph_file):
        path = os.path.join(folder, "core_clients", f"{ctype}.py")
        if os.path.isfile(path):
            return path
    return None


def _entry_point(ctype: str):
    from importlib.metadata import entry_points

    found = [e for e in entry_points(group=ENTRY_POINT_GROUP) if e.name == ctype]
    return found[0] if found else None


def where(ctype: str, graph_file: str | None) -> str | None:
    """A description of what provides ``ctype`` (None: nothing)."""
    if not isinstance(ctype, str) or not ctype.isidentifier():
        return None
    path = client_file(ctype, graph_file)
    if path:
        return path
    if ctype in BUILTIN_MODULES:
        return BUILTIN_MODULES[ctype]
    entry = _entry_point(ctype)
    return f"entry point {entry.value}" if entry else None


def client_class(ctype: str, graph_file: str | None):
    """The class of ``ctype``; a UserError (one line) when nothing provides it or its
    module cannot be imported."""
    path = client_file(ctype, graph_file) if ctype.isidentifier() else None
    if path:
        module = _import_file(ctype, path)
        where_text = path
    elif ctype in BUILTIN_MODULES:
        module = importlib.import_module(BUILTIN_MODULES[ctype])
        where_text = BUILTIN_MODULES[ctype]
    else:
        entry = _entry_point(ctype) if ctype.isidentifier() else None
        if entry is None:
            raise UserError(f"core-client type {ctype!r} not found (no core_clients/{ctype}.py,"
                            " no built-in, no plugin)")
        try:
            loaded = entry.load()
        except Exception as exc:  # noqa: BLE001 - a plugin's import problem, one line
            raise UserError(f"core-client plugin {entry.value}: cannot import: "
                            f"{type(exc).__name__}: {exc}") from None
        return loaded if isinstance(loaded, type) else getattr(loaded, f"CClient_{ctype}")
    cls = getattr(module, f"CClient_{ctype}", None)
    if not isinstance(cls, type):
        raise UserError(f"{where_text}: defines no class CClient_{ctype}")
    return cls


def _import_file(ctype: str, path: str):
    name = f"statestream_core_clients.{ctype}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - the user's file: one line with its position
        sys.modules.pop(name, None)
        line = _line_in(path, exc)
        raise UserError(f"{path}:{line}: cannot import core client {ctype}: "
                        f"{type(exc).__name__}: {exc}") from None
    return module


def _line_in(path: str, exc: BaseException) -> int:
    if isinstance(exc, SyntaxError) and exc.lineno:
        return exc.lineno
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
    return frames[-1].lineno if frames else 1
