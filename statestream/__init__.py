"""statestream: design, run, train, watch and steer streaming neural networks."""

__version__ = "0.1.0"
