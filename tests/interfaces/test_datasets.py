"""mnist and cifar10 on tiny files in the real formats: layout, split, epochs, errors."""
from __future__ import annotations

import gzip

import numpy as np
import pytest

from statestream.interfaces.datasets import DatasetMissing

from .helpers import (coded_mnist, graph_text, make, mnist_identity, run, write_cifar,
                      write_mnist)

MNIST_NPS = {"mnist_image": (1, 28, 28), "mnist_label": (10, 1, 1), "mnist_pred": (10, 1, 1)}


@pytest.fixture
def mnist_file(tmp_path):
    return write_mnist(tmp_path / "mnist.pkl.gz", coded_mnist())


def mnist(path, keys="", agents=4, image=(1, 28, 28), label=(10, 1, 1), seed=0, pred=True,
          synthetic=False):
    nps = dict(MNIST_NPS, mnist_image=image, mnist_label=label)
    if not pred:
        del nps["mnist_pred"]
    return make("mnist", nps, f"source_file: {path}\n{keys}", agents,
                inputs=("mnist_pred",) if pred else (), seed=seed, synthetic=synthetic)


def labels_of(out):
    return out["mnist_label"].reshape(out["mnist_label"].shape[:2] + (-1,))[:, :, 0].argmax(1)


@pytest.mark.parametrize("image, label", [((1, 28, 28), (10, 1, 1)), ((3, 28, 28), (10, 4, 4)),
                                          ((1, 14, 20), (10, 1, 1))])
def test_mnist_shapes_and_values(mnist_file, image, label):
    iface = mnist(mnist_file, "fading: 0", image=image, label=label)
    assert iface.variables["conf_mat_train"] == (9, 10, 10)
    assert iface.variables["acc_valid"] == (9, 1, 1)
    assert iface.variables["_epoch_trigger_"] == (3,)
    for out in run(iface, 30):
        assert out["mnist_image"].shape == (4,) + image and out["mnist_image"].dtype == np.float32
        assert 0 <= out["mnist_image"].min() and out["mnist_image"].max() <= 1
        assert np.all(out["mnist_label"].sum(axis=1) == 1)
        if image == (1, 28, 28):  # exactly the stored image, X = column, Y = row
            assert all(mnist_identity(img, 0) is not None for img in out["mnist_image"])


def test_split_rule_agents_below_split_get_validation_data(mnist_file):
    iface = mnist(mnist_file, "min_duration: 2\nmax_duration: 3", agents=6)
    for out in run(iface, 60, split=2):
        labels = labels_of(out)
        assert np.all(labels[:2] >= 5) and np.all(labels[2:] < 5)


def test_tcms_are_split_aware(mnist_file):
    iface = mnist(mnist_file, "min_duration: 4\nmax_duration: 6", agents=5)
    previous = {}
    for k in range(40):
        pred = previous.get(k - 1, np.zeros((5, 10, 1, 1), np.float32))
        out = iface.step(k, {"mnist_pred": pred}, {}, 2)
        previous[k] = out["mnist_label"]
    total = iface.tcms["train"].cumulative().sum(), iface.tcms["valid"].cumulative().sum()
    assert total == (3 * 39, 2 * 39)  # every frame after the first, per agent
    assert np.all(out["acc_train"][:4] == 1) and np.all(out["acc_valid"][:4] == 1)


def epoch_walk(iface, frames, split, part, window=None):
    """Run; returns draws [(frame, agent, identity)], per-frame epoch triggers and outputs."""
    draws, triggers, outs, previous = [], [], [], {}
    agents = iface.agents
    for k in range(frames):
        pred = previous.get(k - 1, np.zeros((agents, 10, 1, 1), np.float32))
        out = iface.step(k, {"mnist_pred": pred}, {"mode": 2 if part < 2 else 3}, split)
        previous[k] = out["mnist_label"]
        for a in np.flatnonzero(out["_trigger_"]):
            draws.append((k, int(a), mnist_identity(out["mnist_image"][a], part)))
        triggers.append(out["_epoch_trigger_"].copy())
        outs.append(out)
    return draws, np.array(triggers), outs


@pytest.mark.parametrize("split, part", [(0, 0), (3, 1), (0, 2)])
def test_epoch_and_test_modes_visit_every_sample_once(mnist_file, split, part):
    size = (6, 4, 3)[part]
    iface = mnist(mnist_file, "min_duration: 2\nmax_duration: 4\nfading: 0\n"
                  "conf-mat window: 50", agents=3)
    draws, triggers, outs = epoch_walk(iface, 80, split, part)
    ids = [d[2] for d in draws]
    assert None not in ids
    epochs = len(ids) // size
    assert epochs >= 3
    for e in range(epochs):
        assert sorted(ids[e * size:(e + 1) * size]) == list(range(size))
    fired = np.flatnonzero(triggers[:, part])
    assert np.all(np.delete(triggers, part, axis=1) == 0)
    def next_onset(k, a):
        return min(kk for kk, aa, _ in draws if aa == a and kk > k)

    # epoch e ends when the last agent showing one of its samples switches away
    ends = [max(next_onset(k, a) for k, a, _ in draws[e * size:(e + 1) * size])
            for e in range(epochs - 1)]
    assert list(fired[:len(ends)]) == ends
    at_end = outs[fired[0]]
    if part == 0:
        return  # training TCMs stay smoothed
    # the finished walk's confusion matrix counts every frame of its samples once
    name, acc = ("conf_mat_valid", "acc_valid") if part == 1 else ("conf_mat_train", "acc_train")
    assert at_end[name].sum() == sum(next_onset(k, a) - k for k, a, _ in draws[:size])
    assert np.all(at_end[acc][:2] == 1)
    if part == 2:
        assert not at_end["conf_mat_valid"].any()


def test_mode_change_restarts_epochs(mnist_file):
    iface = mnist(mnist_file, "min_duration: 2\nmax_duration: 2", agents=2)
    run(iface, 5, params={"mode": 2})
    out = iface.step(5, {}, {"mode": 0}, 0)
    assert np.all(out["_trigger_"] == 1) and not out["_epoch_trigger_"].any()


def test_caps_limit_the_parts(mnist_file):
    keys = "train samples: 2\nmin_duration: 1\nmax_duration: 1\nfading: 0"
    iface = mnist(mnist_file, keys, agents=2)
    seen = set()
    for out in run(iface, 30):
        seen.update(mnist_identity(img, 0) for img in out["mnist_image"])
    assert seen == {0, 1}


def test_state_dict_round_trip_in_epoch_mode(mnist_file):
    def feed(k):
        return {"mnist_pred": np.full((3, 10, 1, 1), k % 7, np.float32)}
    original = mnist(mnist_file, "min_duration: 2\nmax_duration: 5", agents=3, seed=1)
    run(original, 50, inputs=feed, params={"mode": 2}, split=1)
    saved = original.state_dict()
    expected = run(original, 50, start=50, inputs=feed, params={"mode": 2}, split=1)
    resumed = mnist(mnist_file, "min_duration: 2\nmax_duration: 5", agents=3, seed=5)
    resumed.load_state_dict(saved)
    got = run(resumed, 50, start=50, inputs=feed, params={"mode": 2}, split=1)
    for a, b in zip(expected, got):
        for name in a:
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)


@pytest.mark.parametrize("image", [(3, 32, 32), (3, 16, 16), (1, 32, 32)])
def test_cifar10(tmp_path, image):
    folder = write_cifar(tmp_path / "cifar")
    nps = {"cf10_image": image, "cf10_label": (10, 1, 1), "cf10_pred": (10, 1, 1)}
    keys = f"source_path: {folder}\nfading: 0\naugmentation: {{flipX: true}}"
    iface = make("cifar10", nps, keys, inputs=("cf10_pred",))
    assert iface.params == {"mode": 0, "min_duration": 12, "max_duration": 16, "fading": 0}
    assert set(iface.variables) >= {"conf_mat_train", "acc_valid", "_epoch_trigger_"}
    out = run(iface, 3, split=1)[-1]
    assert out["cf10_image"].shape == (4,) + image
    if image[0] == 3:
        assert np.allclose(out["cf10_image"] * 255, np.round(out["cf10_image"] * 255), atol=1e-3)
    assert 0 <= out["cf10_image"].min() and out["cf10_image"].max() <= 1
    assert np.all(out["cf10_label"].sum(axis=1) == 1)


def expected_line(text, key):
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.strip().startswith(key))


def test_missing_dataset_message(tmp_path):
    path = tmp_path / "nowhere" / "mnist.pkl.gz"
    keys = f"source_file: {path}"
    text = graph_text("mnist", MNIST_NPS, keys, inputs=("mnist_pred",))
    with pytest.raises(DatasetMissing) as info:
        make("mnist", MNIST_NPS, keys, inputs=("mnist_pred",), file="g.st_graph")
    message = str(info.value)
    line = expected_line(text, "source_file")
    assert message == (f"g.st_graph:{line}: source: dataset not found: {path} (source_file); "
                       "hint: pass --synthetic-inputs to run with random data")


def test_unreadable_dataset_and_missing_key(tmp_path):
    broken = tmp_path / "mnist.pkl.gz"
    with gzip.open(broken, "wb") as handle:
        handle.write(b"not a pickle")
    with pytest.raises(DatasetMissing) as info:
        mnist(broken)
    assert "cannot read dataset" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(DatasetMissing, match="no source_path given"):
        make("cifar10", {"cf10_image": (3, 32, 32)})


@pytest.mark.parametrize("itype", ["mnist", "cifar10"])
def test_synthetic_source_matches_the_real_variables(tmp_path, itype):
    if itype == "mnist":
        nps, key = MNIST_NPS, f"source_file: {write_mnist(tmp_path / 'm.pkl.gz', coded_mnist())}"
        inputs = ("mnist_pred",)
    else:
        nps = {"cf10_image": (3, 32, 32), "cf10_label": (10, 1, 1), "cf10_pred": (10, 1, 1)}
        key, inputs = f"source_path: {write_cifar(tmp_path / 'c')}", ("cf10_pred",)
    real = make(itype, nps, key, inputs=inputs)
    fake = make(itype, nps, key.replace(str(tmp_path), "/absent"), inputs=inputs, synthetic=True)
    assert type(fake).__name__ == "SyntheticSource"
    assert fake.variables == real.variables and fake.params == real.params
    assert fake.param_bounds == real.param_bounds
    outs = run(fake, 40)
    image, label = inputs[0].replace("pred", "image"), inputs[0].replace("pred", "label")
    for out in outs:
        assert {n: v.shape for n, v in out.items()} == fake.variables
        assert 0 <= out[image].min() and out[image].max() <= 1
        assert np.all(out[label].sum(axis=1) == 1)
    assert outs[0]["_trigger_"].all()


def test_synthetic_epochs(tmp_path):
    iface = mnist("/absent/mnist.pkl.gz", "train samples: 5\nmin_duration: 1\nmax_duration: 2",
                  agents=2, synthetic=True)
    outs = run(iface, 30, params={"mode": 2})
    assert sum(o["_epoch_trigger_"][0] for o in outs) >= 3


def test_synthetic_state_dict_is_picklable_and_resumes():
    import pickle

    def build(seed):
        return mnist("/absent/m.pkl.gz", "train samples: 7\nmin_duration: 2\nmax_duration: 3",
                     agents=3, seed=seed, synthetic=True)
    original = build(2)
    run(original, 50, params={"mode": 2}, split=1)
    saved = pickle.loads(pickle.dumps(original.state_dict()))
    expected = run(original, 50, start=50, params={"mode": 2}, split=1)
    resumed = build(9)
    resumed.load_state_dict(saved)
    for a, b in zip(expected, run(resumed, 50, start=50, params={"mode": 2}, split=1)):
        for name in a:
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)
