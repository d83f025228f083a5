"""Imported once by the forkserver: every worker forked from it starts with torch loaded."""
import statestream.neuronal  # noqa: F401
import statestream.runtime.items  # noqa: F401
import statestream.runtime.worker  # noqa: F401
import statestream.graph  # noqa: F401
import torch  # noqa: F401
