"""Tab completion: commands, items, neuron-pools, parameter names and file paths."""
from __future__ import annotations

from prompt_toolkit.completion import Completer, Completion, PathCompleter
from prompt_toolkit.document import Document

from statestream.runtime.commands import COMMANDS
from statestream.terminal.commands import all_commands

PATH_COMMANDS = {"save", "load", "savenet", "savegraph"}
ON_OFF = {"viz", "rv", "clean"}


class SessionNames:
    """The names of one session, from its layout and graph."""

    def __init__(self, session):
        layout = session.memory.layout
        self.session = session
        self.items = list(session.items)
        self.nps = list(session.graph.neuron_pools)
        self.clients = list(getattr(session.graph, "core_clients", {}) or {})
        self.params: dict = {}
        for key in layout["arrays"]:
            head, _, rest = key.partition("/")
            if head == "par":
                item, _, name = rest.partition("/")
                self.params.setdefault(item, []).append(name)
        for table in ("if_params", "plast_hyper"):
            for item, names in (layout.get(table) or {}).items():
                self.params.setdefault(item, []).extend(names)
        self.arrays = sorted(k for k in layout["arrays"] if k.split("/")[0] in ("np", "par", "if"))

    def for_arg(self, command: str, position: int, words: list) -> list:
        if command == "help":
            return all_commands() if position == 0 else []
        if command in ON_OFF:
            return ["on", "off"] if position == 0 else []
        if command == "profile":
            return ["core"] if position == 0 else []
        if command == "until":
            return ["frame"] if position == 0 else []
        if command == "mv":
            return self.mv_words(position, words)
        if command == "shm":
            return ["np", "par", "if"] + self.arrays if position == 0 else []
        if command in ("ccmsg", "ccstart", "ccstop"):
            return self.clients if position == 0 else []
        spec = COMMANDS.get(command)
        if spec is None or position >= len(spec.args):
            return []
        kind = spec.args[position].kind
        if kind == "item":
            return self.items
        if kind == "np":
            return self.nps
        if kind == "name" and position > 0:
            return self.params.get(words[1], [])
        return []


    def mv_words(self, position: int, words: list) -> list:
        """mv's actions, then meta-variable names, types, and the option keys of add."""
        from statestream.metavariables.commands import ACTIONS
        from statestream.metavariables.spec import KEYS, TYPES

        if position == 0:
            return list(ACTIONS)
        action = words[1] if len(words) > 1 else ""
        if action in ("remove", "show", "data") and position == 1:
            try:
                return [info["name"] for info in self.session.metavariables()]
            except Exception:  # noqa: BLE001 - completion never breaks the prompt
                return []
        if action == "add" and position == 2:
            return list(TYPES)
        if action == "add" and position > 2:
            keys = KEYS.get(words[2], ()) if len(words) > 2 else ()
            return [f"{key}=" for key in ("period", "history", *keys)]
        return []


class TerminalCompleter(Completer):
    def __init__(self, names: SessionNames):
        self.names = names
        self.paths = PathCompleter(expanduser=True)

    def get_completions(self, document, complete_event):
        text = document.text_before_cursor
        words = text.split()
        if not words or (len(words) == 1 and not text.endswith(" ")):
            prefix = words[0] if words else ""
            yield from _matching(all_commands(), prefix)
            return
        command = words[0]
        current = "" if text.endswith(" ") else words[-1]
        position = len(words) - 1 - (0 if text.endswith(" ") else 1)
        if command in PATH_COMMANDS and position == 0:
            sub = Document(current, len(current))
            yield from self.paths.get_completions(sub, complete_event)
            return
        yield from _matching(self.names.for_arg(command, position, words), current)


def _matching(candidates, prefix: str):
    for word in dict.fromkeys(candidates):
        if word.startswith(prefix):
            yield Completion(word, start_position=-len(prefix))
