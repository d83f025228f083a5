"""bench/learning_limit.py: the gradient step it times is the demo plasticity's real one."""
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from bench import learning_limit  # noqa: E402


def test_step_trains_and_times():
    step = learning_limit.step_function(learning_limit.DEMO)
    variables = step.variables
    before = {k: v.copy() for k, v in variables.items()}
    seconds = learning_limit.time_step(step, steps=2, repeats=1)
    assert 0 < seconds < 5
    changed = [k for k in variables if not np.array_equal(variables[k], before[k])]
    assert "grad.image_hidden1.W_0_0" in changed  # gradients stored by the optimizer step
    assert np.abs(variables["grad.hidden1_hidden2.W_0_0"]).sum() > 0
    assert int(variables["t"]) == 10 + 2  # Adam counted the warm-up and the timed steps
