"""statestream: design, run, train, watch and steer streaming neural networks.

``statestream.open(graph, ...)`` starts a session; ``statestream.attach(id)`` joins a
running one (see docs/python.md).
"""

__version__ = "0.1.0"


def open(graph, **options):  # noqa: A001 - the public name of the API
    """Start a session on ``graph`` (see :func:`statestream.runtime.api.open`)."""
    from statestream.runtime.api import open as open_session

    return open_session(graph, **options)


def attach(session_id=None):
    """Join a running session (see :func:`statestream.runtime.api.attach`)."""
    from statestream.runtime.api import attach as attach_session

    return attach_session(session_id)
