"""value_and_grad (torch) against central finite differences; numpy is forward-only."""
import numpy as np
import pytest
import torch

from .helpers import assert_close

RNG = np.random.default_rng(5)


def finite_differences(fn, params, eps=1e-2):
    grads = {}
    for name, value in params.items():
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            plus, minus = value.copy(), value.copy()
            plus[index] += eps
            minus[index] -= eps
            grad[index] = (float(fn({**params, name: plus})) - float(fn({**params, name: minus}))) \
                / (2 * eps)
        grads[name] = grad
    return grads


def check_against_fd(B, fn, params, tol=2e-3):
    def forward(p):
        return B.to_numpy(fn({k: B.asarray(v) for k, v in p.items()}))

    value, grads = B.value_and_grad(fn)({k: B.asarray(v) for k, v in params.items()})
    assert set(grads) == set(params)
    with B.no_grad():
        assert_close(B.to_numpy(value), forward(params))
        numeric = finite_differences(forward, params)
    for name in params:
        assert B.to_numpy(grads[name]).dtype == np.float32
        np.testing.assert_allclose(B.to_numpy(grads[name]), numeric[name], rtol=2e-2, atol=tol)
    return grads


def test_conv_softmax_losses_match_finite_differences(torch_b):
    B = torch_b
    x = B.asarray(RNG.normal(0, 1, (2, 2, 5, 4)))
    target = B.asarray(RNG.dirichlet(np.ones(3), (2, 3, 4)).transpose(0, 3, 1, 2))
    params = {"W": RNG.normal(0, 0.5, (3, 2, 3, 2)).astype(np.float32),
              "b": RNG.normal(0, 0.5, 3).astype(np.float32),
              "unused": np.ones(2, np.float32)}

    def fn(p, x, scale=1.0):
        h = B.conv2d(x, p["W"], stride=(2, 1), padding="same") + B.reshape(p["b"], (1, 3, 1, 1))
        probs = B.softmax(h)
        loss = B.mean(B.categorical_crossentropy(probs, target))
        return scale * (loss + B.mean(B.MSE(B.tanh(h), target)) + 0.1 * B.mean(B.softplus(h)))

    value, grads = B.value_and_grad(fn)({k: B.asarray(v) for k, v in params.items()}, x,
                                        scale=2.0)
    assert B.shape(value) == ()
    grads = check_against_fd(B, lambda p: fn(p, x, scale=2.0), params)
    assert np.all(B.to_numpy(grads["unused"]) == 0)
    assert np.abs(B.to_numpy(grads["W"])).max() > 1e-3


def test_bilinear_sample_gradients(torch_b):
    B = torch_b
    weights = B.asarray(RNG.normal(0, 1, (2, 3, 2, 3)))
    params = {"img": RNG.normal(0, 1, (2, 3, 4, 5)).astype(np.float32),
              "py": np.float32([[[0.3, 1.6, 2.2], [2.7, 0.4, -4.0]]] * 2),
              "px": np.float32([[[3.3, 0.6, 1.2], [2.4, 3.7, 9.0]]] * 2)}

    def fn(p):
        return B.sum(B.bilinear_sample(p["img"], p["py"], p["px"]) * weights)

    grads = check_against_fd(B, fn, params)
    assert B.to_numpy(grads["py"])[0, 1, 2] == 0 and B.to_numpy(grads["px"])[0, 1, 2] == 0


def test_constant_function_gives_zero_gradients(torch_b):
    value, grads = torch_b.value_and_grad(lambda p: torch_b.asarray(3.0))(
        {"w": torch_b.ones((2, 2))})
    assert float(value) == 3.0 and torch.equal(grads["w"], torch.zeros(2, 2))


def test_numpy_is_forward_only(np_b):
    with pytest.raises(NotImplementedError, match="the numpy backend is forward-only; "
                                                  "use --backend torch"):
        np_b.value_and_grad(lambda p: p["w"])


def test_execution_helpers(backend):
    fn = backend.compile(lambda a: a * 2.0)
    x = backend.asarray([1.0, 2.0])
    assert_close(backend.to_numpy(fn(x)), np.float32([2.0, 4.0]))
    with backend.no_grad():
        assert backend.is_array(backend.detach(x * 1.0))
    backend.set_threads(torch.get_num_threads())


def test_no_grad_and_detach_stop_tracking(torch_b):
    w = torch.ones(2, requires_grad=True)
    with torch_b.no_grad():
        assert not (w * 2).requires_grad
    assert not torch_b.detach(w * 2).requires_grad
