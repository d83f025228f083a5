"""Every meta-variable type against a direct numpy / torch computation on recorded frames."""
from __future__ import annotations

import numpy as np
import pytest

import statestream
from statestream.errors import UserError

FRAMES = 8
NPS = ["image", "hidden1", "hidden2", "hidden3", "prediction"]


@pytest.fixture(scope="module")
def run():
    """A demo session without learning, four meta-variables, and the states of every frame."""
    with statestream.open("demo", seed=3, learning=False) as session:
        session.add_metavariable("st", "scalar_stats", source=["hidden1", "hidden2"],
                                 stats=["mean", "std", "min", "max", "l1", "l2", "median"])
        session.add_metavariable("ax", "scalar_stats", source="hidden1", stats=["var", "l0"],
                                 axes=[0, 2, 3], agents=4)
        session.add_metavariable("w", "scalar_stats", source="image_hidden1/W_0_0",
                                 stats=["linf"], axes=[1, 2, 3])
        session.add_metavariable("three", "scalar_three_stats", source="hidden3")
        session.add_metavariable("cos", "bivariate_metric", source=["hidden1", "hidden2"],
                                 agents=3)
        session.add_metavariable("corr", "bivariate_metric", source="hidden2", metric="corr")
        session.add_metavariable("sal", "saliency_grad", source="image", target="prediction",
                                 agents=2)
        session.add_metavariable("salf", "saliency_grad", source="hidden1",
                                 target="prediction", feature=2, period=2)
        recorded = {}
        for _ in range(FRAMES):
            frame = session.step(1)
            got, arrays = session.read(NPS + ["image_hidden1/W_0_0"])
            assert got == frame
            recorded[frame] = arrays
        values = {mv["name"]: session.metavariable(mv["name"], FRAMES)
                  for mv in session.metavariables()}
        params = {key: session.param(*key.split("/")) for key in (
            "image_hidden1/W_0_0", "hidden1_hidden2/W_0_0", "hidden2_hidden3/W_0_0",
            "hidden3_prediction/W_0_0", "hidden1/b", "hidden2/b", "hidden3/b", "prediction/b")}
        yield session, recorded, values, params


def _each(values, name, recorded):
    frames, vals = values[name]
    assert len(frames) > 0
    for frame, value in zip(frames, vals):
        yield recorded[int(frame)], value


def test_scalar_stats_over_all_axes(run):
    _, recorded, values, _ = run
    assert values["st"][1].shape == (FRAMES, 2, 7)
    for states, value in _each(values, "st", recorded):
        for row, name in enumerate(["hidden1", "hidden2"]):
            x = states[name].astype(np.float64)
            want = [x.mean(), x.std(), x.min(), x.max(), np.abs(x).sum(),
                    np.sqrt((x * x).sum()), np.median(x)]
            np.testing.assert_allclose(value[row], want, rtol=1e-5, atol=1e-7)


def test_scalar_stats_over_chosen_axes_and_agents(run):
    _, recorded, values, _ = run
    for states, value in _each(values, "ax", recorded):
        x = states["hidden1"][:4]
        want_var = np.array([x[:, f].var() for f in range(x.shape[1])])
        want_l0 = np.array([np.count_nonzero(x[:, f]) for f in range(x.shape[1])])
        np.testing.assert_allclose(value[0, 0], want_var, rtol=1e-5, atol=1e-9)
        np.testing.assert_array_equal(value[0, 1], want_l0)


def test_scalar_stats_of_a_parameter(run):
    _, recorded, values, _ = run
    for states, value in _each(values, "w", recorded):
        w = states["image_hidden1/W_0_0"]
        np.testing.assert_allclose(value[0, 0], np.abs(w).reshape(w.shape[0], -1).max(axis=1))


def test_scalar_three_stats(run):
    _, recorded, values, _ = run
    for states, value in _each(values, "three", recorded):
        x = states["hidden3"].astype(np.float64)
        np.testing.assert_allclose(value[0], [x.mean(), x.var(), x.max()], rtol=1e-5)


def _pooled(x, size):
    a, f, sx, sy = x.shape
    out = np.empty((a, f) + size)
    bx, by = sx // size[0], sy // size[1]
    for i in range(size[0]):
        for j in range(size[1]):
            out[:, :, i, j] = x[:, :, i * bx:(i + 1) * bx, j * by:(j + 1) * by].max(axis=(2, 3))
    return out


def test_bivariate_cosine_between_pooled_feature_maps(run):
    _, recorded, values, _ = run
    for states, value in _each(values, "cos", recorded):
        u = _pooled(states["hidden1"][:3], (4, 4))
        v = states["hidden2"][:3].astype(np.float64)
        want = np.zeros((16, 32))
        for a in range(3):
            for i in range(16):
                for j in range(32):
                    p, q = u[a, i].ravel(), v[a, j].ravel()
                    norm = np.linalg.norm(p) * np.linalg.norm(q)
                    want[i, j] += (p @ q / norm if norm > 1e-12 else 0.0) / 3
        np.testing.assert_allclose(value, want, rtol=1e-4, atol=1e-6)


def test_bivariate_correlation_of_one_state_with_itself(run):
    _, recorded, values, _ = run
    for states, value in _each(values, "corr", recorded):
        x = states["hidden2"][0].reshape(32, -1).astype(np.float64)
        live = x.std(axis=1) > 0
        want = np.corrcoef(x[live])
        np.testing.assert_allclose(value[np.ix_(live, live)], want, rtol=1e-4, atol=1e-5)


def _direct_saliency(recorded, params, frame, source, agents, objective):
    """Forward through the demo's chain by hand in torch, from the recorded source state."""
    import torch
    import torch.nn.functional as F

    chain = ["image", "hidden1", "hidden2", "hidden3", "prediction"]
    sps = ["image_hidden1", "hidden1_hidden2", "hidden2_hidden3", "hidden3_prediction"]
    start = chain.index(source)
    depth = len(chain) - 1 - start
    x = torch.tensor(recorded[frame - depth][source][:agents], dtype=torch.float64,
                     requires_grad=True)
    h = x
    for step, sp in enumerate(sps[start:]):
        w = torch.tensor(params[f"{sp}/W_0_0"], dtype=torch.float64)
        b = torch.tensor(params[f"{chain[start + step + 1]}/b"], dtype=torch.float64)
        if w.shape[-1] != 5:  # dense: every position of the source
            y = torch.einsum("ofxy,afxy->ao", w, h)[:, :, None, None]
        else:  # TensorFlow-style SAME: 32 -> 16 with stride 2, 16 -> 4 with stride 4
            stride = h.shape[-1] // {"hidden1": 16, "hidden2": 4}[chain[start + step + 1]]
            total = max((h.shape[-1] // stride - 1) * stride + 5 - h.shape[-1], 0)
            padded = F.pad(h, (total // 2, total - total // 2) * 2)
            y = F.conv2d(padded, w, stride=stride)
        pre = y + b.reshape(1, -1, 1, 1)
        h = torch.softmax(pre, dim=1) if step == len(sps[start:]) - 1 else torch.relu(pre)
    total = objective(h)
    total.backward()
    return h.detach().numpy(), x.grad.numpy()


def test_saliency_replays_the_recorded_frames(run):
    session, recorded, values, params = run
    from statestream.metavariables.kernels import make_kernel
    from statestream.metavariables.spec import check_spec

    spec, problems = check_spec("sal", {"type": "saliency_grad", "source": "image",
                                        "target": "prediction", "agents": 2}, session.graph)
    assert not problems
    kernel = make_kernel(spec, session.graph)
    frames, grads = values["sal"]
    assert list(frames) == list(range(4, FRAMES))  # needs 4 earlier frames
    for frame, grad in zip(frames, grads):
        states = [{n: recorded[int(frame) - 4 + j][n][:2] for n in kernel.kept}
                  for j in range(5)]
        keyed = {tuple(k.split("/")): v for k, v in params.items()}
        replayed, again = kernel.replay(int(frame), states, keyed)
        np.testing.assert_allclose(replayed, recorded[int(frame)]["prediction"][:2],
                                   rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(again, grad, rtol=1e-5, atol=1e-9)


def test_saliency_grad_matches_torch_autograd(run):
    _, recorded, values, params = run
    frames, grads = values["sal"]
    for frame, grad in zip(frames, grads):
        out, want = _direct_saliency(recorded, params, int(frame), "image", 2,
                                     lambda y: y.reshape(2, -1).max(dim=1).values.sum())
        np.testing.assert_allclose(out, recorded[int(frame)]["prediction"][:2], rtol=1e-4,
                                   atol=1e-6)
        assert np.abs(want).max() > 0
        np.testing.assert_allclose(grad, want, rtol=2e-3, atol=1e-6 * np.abs(want).max())


def test_saliency_of_one_feature_every_second_frame(run):
    _, recorded, values, params = run
    frames, grads = values["salf"]
    assert all(int(f) % 2 == 0 for f in frames) and len(frames) >= 2
    for frame, grad in zip(frames, grads):
        _, want = _direct_saliency(recorded, params, int(frame), "hidden1", 1,
                                   lambda y: y[:, 2].mean(dim=(1, 2)).sum())
        np.testing.assert_allclose(grad, want, rtol=2e-3, atol=1e-6 * np.abs(want).max())


def test_mistakes_are_one_line_errors(run):
    session = run[0]
    for text in ("mv", "mv add", "mv add x", "mv add x scalar_stats source", "mv show nope",
                 "mv data st 0", "mv data st 999999", "mv add st scalar_stats source=hidden1",
                 "mv add y scalar_stats source=hidden1 source=hidden2",
                 "mv add y scalar_stats source=hidden1 history=-3", "mv remove nope",
                 "mv add y.z scalar_stats source=hidden1", "mv add y saliency_grad source=image"):
        reply = session.command(text)
        assert reply.startswith("error: ") and "\n" not in reply, (text, reply)
    with pytest.raises(UserError):
        session.add_metavariable("q", "scalar_stats", source="hidden1", stats=["a b"])


def test_add_remove_and_list(run):
    session = run[0]
    session.add_metavariable("tmp", "scalar_stats", source="hidden3", stats="max")
    session.step(2)
    frames, values = session.metavariable("tmp", 2)
    assert list(frames) == [session.frame - 1, session.frame]
    np.testing.assert_allclose(values[-1, 0, 0], session.state("hidden3").max())
    assert "tmp" in session.command("mv list")
    assert session.command("mv remove tmp") == "removed tmp"
    assert "tmp" not in [m["name"] for m in session.metavariables()]
