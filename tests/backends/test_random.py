"""Counter-based randomness: reproducible per key, independent across keys and processes."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from statestream.backends import random as rnd

ROOT = Path(__file__).resolve().parents[2]
KEY = (42, "np_retina", "state", 17)


def test_same_key_same_bits():
    for draw in (rnd.draw_normal, rnd.draw_uniform):
        assert draw(*KEY, (3, 4)).tobytes() == draw(*KEY, (3, 4)).tobytes()
        assert draw(*KEY, (3, 4)).dtype == np.float32
    a = rnd.draw_bernoulli(*KEY, (50,), 0.3)
    assert a.dtype == np.float32 and set(np.unique(a)) <= {0.0, 1.0}
    assert np.array_equal(a, rnd.draw_bernoulli(*KEY, (50,), 0.3))


@pytest.mark.parametrize("index, other", [(0, 43), (1, "np_other"), (2, "noise"), (3, 18)])
def test_any_key_part_changes_the_stream(index, other):
    changed = list(KEY)
    changed[index] = other
    assert not np.array_equal(rnd.draw_normal(*KEY, 64), rnd.draw_normal(*changed, 64))
    assert not np.array_equal(rnd.draw_uniform(*KEY, 64), rnd.draw_uniform(*changed, 64))


def test_independent_of_call_order():
    k1, k2 = (1, "a", "x", 0), (1, "b", "x", 5)
    first = rnd.draw_normal(*k1, 8), rnd.draw_uniform(*k2, 8)
    second_k2 = rnd.draw_uniform(*k2, 8)
    second_k1 = rnd.draw_normal(*k1, 8)
    assert np.array_equal(first[0], second_k1) and np.array_equal(first[1], second_k2)


def test_distributions_are_sane():
    u = rnd.draw_uniform(0, "i", "a", 0, 100_000)
    assert 0.0 <= u.min() and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.01
    z = rnd.draw_normal(0, "i", "a", 0, 100_000)
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1.0) < 0.02
    b = rnd.draw_bernoulli(0, "i", "a", 0, 100_000, 0.25)
    assert abs(b.mean() - 0.25) < 0.01
    assert rnd.draw_bernoulli(0, "i", "a", 0, 100, 0.0).sum() == 0
    assert rnd.draw_bernoulli(0, "i", "a", 0, 100, 1.0).sum() == 100


def test_backends_get_bit_identical_numbers(np_b, torch_b):
    for method, extra in (("normal", ()), ("uniform", ()), ("bernoulli", (0.4,))):
        a = np_b.to_numpy(getattr(np_b, method)(KEY, (2, 3, 4), *extra))
        b = torch_b.to_numpy(getattr(torch_b, method)(KEY, (2, 3, 4), *extra))
        assert a.dtype == b.dtype == np.float32 and a.tobytes() == b.tobytes()
    p = np.linspace(0, 1, 24, dtype=np.float32).reshape(2, 3, 4)
    a = np_b.to_numpy(np_b.bernoulli(KEY, (2, 3, 4), np_b.asarray(p)))
    b = torch_b.to_numpy(torch_b.bernoulli(KEY, (2, 3, 4), torch_b.asarray(p)))
    assert np.array_equal(a, b)


def test_same_bits_in_fresh_processes():
    code = ("from statestream.backends import random as r; import sys; "
            "sys.stdout.write(r.draw_normal(42, 'np_retina', 'state', 17, (3, 4)).tobytes().hex()"
            " + r.weight_rng(42, 'sp', 'W').standard_normal(5).tobytes().hex())")
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED="random")
    outputs = [subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                              capture_output=True, text=True).stdout for _ in range(2)]
    local = (rnd.draw_normal(*KEY, (3, 4)).tobytes().hex()
             + rnd.weight_rng(42, "sp", "W").standard_normal(5).tobytes().hex())
    assert outputs[0] == outputs[1] == local


def test_weight_rng_is_reproducible_and_separate():
    a = rnd.weight_rng(1, "sp", "W").standard_normal(16)
    assert np.array_equal(a, rnd.weight_rng(1, "sp", "W").standard_normal(16))
    assert not np.array_equal(a, rnd.weight_rng(1, "sp", "b").standard_normal(16))
    assert not np.array_equal(a, rnd.weight_rng(2, "sp", "W").standard_normal(16))
    frame0 = rnd.frame_generator(1, "sp", "W", 0).standard_normal(16)
    assert not np.array_equal(a, frame0)


def test_bad_key_is_rejected(np_b):
    with pytest.raises(ValueError):
        np_b.normal((1, "a", "b"), (2,))
