"""The user's configuration: ``config.yml`` in the platform's config folder.

Created with commented defaults on first use. Every value comes from (last wins) the
default, the file (FILE:LINE) or an environment variable; a bad key or value in the file
is a ``FILE:LINE: key: what is wrong`` error. ``$STATESTREAM_CONFIG_DIR`` moves the folder.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from statestream.errors import UserError

BACKENDS = ("torch", "numpy")


@dataclass(frozen=True)
class Key:
    name: str
    default: object
    check: object  # value -> value, raises ValueError with the reason
    help: str

    @property
    def env(self) -> str:
        return "STATESTREAM_" + self.name.upper()


def _path(value):
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a folder path")
    return value


def _count(low: int, high: int):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                value = int(str(value), 10)
            except ValueError:
                raise ValueError(f"expected a whole number, got {value!r}") from None
        if not low <= value <= high:
            raise ValueError(f"expected a whole number in [{low}, {high}], got {value}")
        return value
    return check


def _devices(value):
    if value is None or value == "":
        return None
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ValueError("expected a list of device numbers, e.g. [0, 1]")
    try:
        return [_count(0, 1024)(v.strip() if isinstance(v, str) else v) for v in items]
    except ValueError:
        raise ValueError(f"expected a list of device numbers, got {value!r}") from None


def _backend(value):
    if value is None or value == "":
        return None
    if value not in BACKENDS:
        raise ValueError(f"expected one of {', '.join(BACKENDS)} or null, got {value!r}")
    return value


KEYS = {k.name: k for k in (
    Key("save_path", ".", _path, "folder for savenet/savegraph paths that are not absolute"),
    Key("visible_devices", None, _devices, "GPUs that gpu:N refers to (null: all)"),
    Key("memory", 2, _count(2, 10_000), "frames of state history kept readable for tools"),
    Key("profiler_window", 16, _count(1, 16), "frames averaged by profile core and cstat"),
    Key("history_size", 1000, _count(0, 1_000_000), "terminal history lines kept"),
    Key("backend", None, _backend, "default backend: torch, numpy or null (the graph's)"),
    Key("threads", 1, _count(1, 1024), "default torch threads per process"),
)}


def config_dir() -> str:
    folder = os.environ.get("STATESTREAM_CONFIG_DIR")
    if folder:
        return folder
    from platformdirs import user_config_dir

    return user_config_dir("statestream")


def state_dir() -> str:
    """Where the terminal keeps its history."""
    folder = os.environ.get("STATESTREAM_STATE_DIR")
    if folder:
        return folder
    from platformdirs import user_state_dir

    return user_state_dir("statestream")


def default_text() -> str:
    lines = ["# statestream user configuration (statestream config shows the values in force).",
             "# Environment variables STATESTREAM_<KEY> override these values.", ""]
    for key in KEYS.values():
        value = "null" if key.default is None else key.default
        lines += [f"# {key.help}", f"# {key.name}: {value}", ""]
    return "\n".join(lines)


class Config:
    """``config[key]`` and ``config.source[key]`` (default, FILE:LINE or env NAME)."""

    def __init__(self, values: dict, source: dict, path: str):
        self.values, self.source, self.path = values, source, path

    def __getitem__(self, name: str):
        return self.values[name]

    def lines(self) -> list:
        width = max(len(k) for k in KEYS)
        return [f"{k.ljust(width)}  {self.values[k]!r:<16}  ({self.source[k]})" for k in KEYS]


def load(create: bool = True) -> Config:
    """The configuration in force; the file is created with commented defaults if missing."""
    path = os.path.join(config_dir(), "config.yml")
    if create and not os.path.exists(path):
        _create(path)
    values = {k.name: k.default for k in KEYS.values()}
    source = {k.name: "default" for k in KEYS.values()}
    if os.path.exists(path):
        for name, (value, line) in _read(path).items():
            values[name], source[name] = value, f"{path}:{line}"
    for key in KEYS.values():
        raw = os.environ.get(key.env)
        if raw is not None and key.env != "STATESTREAM_CONFIG_DIR":
            try:
                values[key.name] = key.check(raw)
            except ValueError as exc:
                raise UserError(f"${key.env}: {exc}") from None
            source[key.name] = f"env {key.env}"
    return Config(values, source, path)


def _create(path: str) -> None:
    from statestream.fileio import atomic_open

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with atomic_open(path, "w", what="config file") as handle:
            handle.write(default_text())
    except (OSError, UserError):
        pass  # a read-only home: the defaults apply


def _read(path: str) -> dict:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        with open(path, encoding="utf-8") as handle:
            data = YAML(typ="rt").load(handle)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise UserError(f"{path}:{line}: yaml: invalid YAML") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read the config file ({exc})") from None
    if data is None:
        return {}
    if not hasattr(data, "items") or not hasattr(data, "lc"):
        raise UserError(f"{path}:1: config: expected a map of key: value")
    out = {}
    for name, value in data.items():
        line = data.lc.key(name)[0] + 1
        key = KEYS.get(name)
        if key is None:
            raise UserError(f"{path}:{line}: {name}: unknown key (known: {', '.join(KEYS)})")
        try:
            out[name] = (key.check(value), line)
        except ValueError as exc:
            raise UserError(f"{path}:{line}: {name}: {exc}") from None
    return out
