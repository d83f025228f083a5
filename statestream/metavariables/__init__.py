"""Meta-variables: statistics over a running session, computed frame by frame.

See docs/metavariables.md. Types: scalar_stats, scalar_three_stats, bivariate_metric,
saliency_grad (``spec.TYPES``); the session's ``mv`` command and ``Session.metavariables()``,
``add_metavariable``, ``metavariable`` reach them.
"""
from statestream.metavariables.spec import TYPES, MVSpec, check_spec

__all__ = ["TYPES", "MVSpec", "check_spec"]
