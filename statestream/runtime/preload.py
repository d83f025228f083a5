"""Imported once by the forkserver (with the backend's array library, see
``statestream.backends.preload_modules``): every worker forked from it starts loaded."""
import statestream.graph  # noqa: F401
import statestream.neuronal  # noqa: F401
import statestream.runtime.items  # noqa: F401
import statestream.runtime.worker  # noqa: F401
