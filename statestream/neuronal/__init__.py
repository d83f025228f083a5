"""Pure step functions of neuron-pools and synapse-pools over backend arrays.

``build_np``/``build_network`` give one ``NPUpdate`` per neuron-pool, ``build_sp`` the
forward pass of one synapse-pool, ``initial_params`` the initial parameter values.
See docs/neuronal.md.
"""
from .init import initial_params, initial_value, resolve_param
from .neuron_pool import NPUpdate, build_network, build_np
from .synapse_pool import SPForward, build_sp

__all__ = ["NPUpdate", "SPForward", "build_network", "build_np", "build_sp",
           "initial_params", "initial_value", "resolve_param"]
