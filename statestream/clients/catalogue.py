"""Built-in core-client types (pure data, read by graph validation)."""

CORE_CLIENT_TYPES = ("lr_scheduler", "trainvaltest", "early_stopping")

# type -> module of statestream.clients that defines ``CClient_<type>``
BUILTIN_MODULES = {t: f"statestream.clients.{t}" for t in CORE_CLIENT_TYPES}

ENTRY_POINT_GROUP = "statestream.core_clients"
