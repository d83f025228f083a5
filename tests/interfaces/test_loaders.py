"""The dataset loaders on tiny files in the real formats: reading, data root, damage."""
from __future__ import annotations

import gzip
import os

import numpy as np
import pytest

from statestream.interfaces.datasets import DatasetMissing
from statestream.interfaces.idx import write_idx

from .formats import write_cityscapes, write_mnist_idx, write_texts
from .helpers import coded_mnist, make, mnist_identity, run, write_cifar, write_mnist

MNIST_NPS = {"mnist_image": (1, 28, 28), "mnist_label": (10, 1, 1)}
CS_NPS = {"cs_image": (3, 8, 4), "cs_class": (3, 8, 4), "cs_label": (19, 8, 4),
          "cs_mask": (1, 8, 4), "cs_pclass": (3, 8, 4), "cs_pred": (19, 8, 4)}
SEG_NPS = {"seg_mnist_image": (1, 56, 28), "seg_mnist_label": (10, 56, 28),
           "seg_mnist_mask": (1, 56, 28), "seg_mnist_pred": (10, 56, 28)}


@pytest.mark.parametrize("gz", [True, False])
def test_mnist_idx_folder(tmp_path, gz):
    folder = write_mnist_idx(tmp_path / "idx", train=12, test=5, gz=gz)
    iface = make("mnist", MNIST_NPS, f"source_file: {folder}\nfading: 0")
    assert [labels.shape[0] for _, labels in iface.data] == [10, 2, 5]
    for out in run(iface, 5):
        assert all(mnist_identity(img, 0) is not None for img in out["mnist_image"])
    # a file of the set names its folder as well
    single = make("mnist", MNIST_NPS, "source_file: " + os.path.join(
        folder, "train-images-idx3-ubyte" + (".gz" if gz else "")))
    assert single.data[2][1].tolist() == [0, 1, 2, 3, 4]


def damage(path, how):
    data = open(path, "rb").read()
    data = data[:len(data) - 7] if how == "truncated" else b"\x00\x00\x09\x03" + data[4:]
    open(path, "wb").write(data)


@pytest.mark.parametrize("how, expected", [("truncated", "expected 9408 data bytes"),
                                           ("magic", "expected the IDX magic 00 00 08 03")])
def test_mnist_idx_damage_is_one_line(tmp_path, how, expected):
    folder = write_mnist_idx(tmp_path / f"idx_{how}", gz=False)
    damage(os.path.join(folder, "train-images-idx3-ubyte"), how)
    with pytest.raises(DatasetMissing) as info:
        make("mnist", MNIST_NPS, f"source_file: {folder}")
    message = str(info.value)
    assert "\n" not in message and "train-images-idx3-ubyte" in message and expected in message


def test_mnist_idx_missing_file_and_label_mismatch(tmp_path):
    folder = write_mnist_idx(tmp_path / "idx", gz=False)
    os.remove(os.path.join(folder, "t10k-labels-idx1-ubyte"))
    with pytest.raises(DatasetMissing, match="dataset not found: .*t10k-labels-idx1-ubyte"):
        make("mnist", MNIST_NPS, f"source_file: {folder}")
    write_idx(os.path.join(folder, "t10k-labels-idx1-ubyte"), np.zeros(3))
    with pytest.raises(DatasetMissing, match="5 images but t10k-labels-idx1-ubyte has 3"):
        make("mnist", MNIST_NPS, f"source_file: {folder}")


def test_truncated_pickle(tmp_path):
    path = write_mnist(tmp_path / "mnist.pkl.gz", coded_mnist())
    data = gzip.open(path).read()
    with gzip.open(path, "wb") as handle:
        handle.write(data[:len(data) // 2])
    with pytest.raises(DatasetMissing, match=f"cannot read dataset {path}"):
        make("mnist", MNIST_NPS, f"source_file: {path}")


def test_data_root_key_then_root(tmp_path, monkeypatch):
    root = tmp_path / "root"
    write_mnist(root.mkdir() or root / "mnist.pkl.gz", coded_mnist())
    write_cifar(root / "cifar-10-batches-py")
    monkeypatch.setenv("STATESTREAM_DATA_ROOT", str(root))
    # the key's path is absent: its last name under the root
    iface = make("mnist", MNIST_NPS, "source_file: /opt/dl/data/mnist.pkl.gz")
    assert iface.data[0][0].shape[0] == 6
    make("cifar10", {"cf10_image": (3, 32, 32)}, "source_path: /dlc/cifar-10-batches-py/")
    make("mnist", MNIST_NPS)  # no key: the default name
    with pytest.raises(DatasetMissing) as info:
        make("mnist", MNIST_NPS, "source_file: /x/other.pkl.gz")
    assert f"nor under the data root {root}" in str(info.value)
    monkeypatch.delenv("STATESTREAM_DATA_ROOT")
    with pytest.raises(DatasetMissing, match="no source_file given .* and no data root"):
        make("mnist", MNIST_NPS)


def test_digits_split_is_fixed_and_disjoint():
    iface = make("digits", {"digits_image": (1, 16, 16), "digits_label": (10, 1, 1)})
    sizes = [labels.shape[0] for _, labels in iface.data]
    assert sizes == [1257, 180, 360]
    flat = [images.reshape(len(images), -1) for images, _ in iface.data]
    train = {row.tobytes() for row in flat[0]}
    assert sum(row.tobytes() in train for row in flat[2]) <= 5  # the set holds a few twins
    out = run(iface, 2)[-1]
    assert out["digits_image"].shape == (4, 1, 16, 16) and out["digits_image"].max() <= 1


def test_digits_test_mode_uses_only_the_test_split():
    nps = {"digits_image": (1, 8, 8), "digits_label": (10, 1, 1), "digits_pred": (10, 1, 1)}
    iface = make("digits", nps, "min_duration: 1\nmax_duration: 1\nfading: 0", agents=8,
                 inputs=("digits_pred",))
    test_rows = {img.tobytes() for img in iface.data[2][0]}
    seen = []
    for k, out in enumerate(run(iface, 50, params={"mode": 3}, split=3)):
        for image in out["digits_image"]:
            seen.append(np.ascontiguousarray(image[0].T).tobytes())
    assert all(row in test_rows for row in seen) and len(set(seen)) > 300


def test_mnist_segmentation_layout_and_pixel_metrics(tmp_path):
    path = write_mnist(tmp_path / "m.pkl.gz", coded_mnist((20, 8, 6)))
    iface = make("mnist_segmentation", SEG_NPS, f"source_file: {path}\nfading: 0",
                 inputs=("seg_mnist_pred",))
    previous = None
    for k in range(30):
        out = iface.step(k, {} if previous is None else {"seg_mnist_pred": previous}, {}, 1)
        previous = out["seg_mnist_label"]
        mask, label = out["seg_mnist_mask"][:, 0], out["seg_mnist_label"]
        assert np.all(label.sum(axis=1) == mask)  # one class exactly where the mask is 1
        assert mask[:, 5:23, 5:23].all() and not mask[:, :5].any() and not mask[:, 28:33].any()
        assert out["seg_mnist_image"][:, 0, :28].sum(axis=(1, 2)).min() == 1  # one lit pixel
    assert np.all(out["acc_train"][:4] == 1) and np.all(out["acc_test"][:4] == 1)
    hidden = make("mnist_segmentation", SEG_NPS, f"source_file: {path}\nhide: 1.0")
    out = run(hidden, 2)[-1]
    assert not out["seg_mnist_image"].any() and out["seg_mnist_mask"].any()


def test_lettersequence_windows(tmp_path):
    folder = write_texts(tmp_path / "texts", ("abcdefghijklmnopqrstuvwxyz" * 2,))
    nps = {"ls_seq_0": (128, 4, 1), "ls_seq_1": (128, 4, 1), "ls_pred": (128, 1, 1)}
    iface = make("lettersequence", nps, f"source_path: {folder}\noffset: 2\n"
                 "conf-mat window: 50",
                 inputs=("ls_pred",), agents=2)
    outs = run(iface, 20)
    text = lambda plane: "".join(chr(c) for c in plane[:, :, 0].argmax(axis=0))  # noqa: E731
    for out in outs:
        first, shifted = text(out["ls_seq_0"][0]), text(out["ls_seq_1"][0])
        assert first in "abcdefghijklmnopqrstuvwxyz" * 3 and shifted[:2] == first[2:]
    a, b = outs[3]["ls_seq_0"][1], outs[4]["ls_seq_0"][1]
    if not outs[4]["_trigger_"][1]:
        assert text(b)[:3] == text(a)[1:]  # one character per frame
    # truth for the metrics: the first character of ls_seq_1 shown in the previous frame
    iface.step(20, {"ls_pred": outs[-1]["ls_seq_1"][:, :, :1]}, {}, 0)
    assert iface.tcms[""].cumulative().sum() == 2


@pytest.mark.parametrize("content, expected", [(None, "expected text files"),
                                               (b"ab\0cdefghijkl", "found binary data"),
                                               (b"abc", "at least 10 characters")])
def test_lettersequence_bad_folders(tmp_path, content, expected):
    folder = tmp_path / "texts"
    folder.mkdir()
    if content is not None:
        (folder / "a.txt").write_bytes(content)
    nps = {"ls_seq_0": (128, 4, 1)}
    with pytest.raises(DatasetMissing, match=expected):
        make("lettersequence", nps, f"source_path: {folder}")
    with pytest.raises(DatasetMissing, match="dataset not found"):
        make("lettersequence", nps, f"source_path: {tmp_path / 'absent'}")


def test_cityscapes_labels_masks_and_colours(tmp_path):
    images, labels = write_cityscapes(tmp_path / "cs")
    iface = make("cityscapes", CS_NPS, f"image_path: {images}\nlabel_path: {labels}",
                 inputs=("cs_pred",))
    out = run(iface, 3)[-1]
    mask = out["cs_mask"][:, 0]
    assert not mask[:, :, 0].any() and mask[:, :, 1:].all()  # the top row is unlabelled
    classes = out["cs_label"].argmax(axis=1)[:, :, 1:]
    assert np.all(classes[:, :4] == 0) and np.all(classes[:, 4:] == 13)  # road | car
    assert np.allclose(out["cs_class"][0, :, 0, 1], np.array([128, 64, 128]) / 255)
    assert 0 <= out["cs_image"].min() and out["cs_image"].max() <= 1


def test_cityscapes_damage_and_missing(tmp_path):
    images, labels = write_cityscapes(tmp_path / "cs")
    keys = f"image_path: {images}\nlabel_path: {labels}"
    with pytest.raises(DatasetMissing, match="expected label files"):
        make("cityscapes", CS_NPS, f"image_path: {images}\nlabel_path: {tmp_path}")
    with pytest.raises(DatasetMissing, match="dataset not found"):
        make("cityscapes", CS_NPS, f"image_path: {tmp_path / 'no'}\nlabel_path: {labels}")
    broken = os.path.join(labels, "train", "aachen", "aachen_000000_000019_gtFine_labelIds.png")
    open(broken, "wb").write(b"\x89PNG\r\n\x1a\n broken")
    os.remove(os.path.join(labels, "train", "aachen", "aachen_000001_000019_gtFine_labelIds.png"))
    with pytest.raises(DatasetMissing) as info:
        run(make("cityscapes", CS_NPS, keys), 2)
    assert broken in str(info.value) and "expected a PNG image" in str(info.value)


def test_cityscapes_sequence_labels_only_on_the_annotated_frame(tmp_path):
    images, labels = write_cityscapes(tmp_path / "css", sequence=True)
    nps = {"css_image": (3, 8, 4), "css_label": (19, 8, 4), "css_mask": (1, 8, 4)}
    iface = make("cityscapes_sequence", nps, f"image_path: {images}\nlabel_path: {labels}")
    for k in range(20):
        out = iface.step(k, {}, {}, 0)
        last = iface.clock.elapsed == iface.clock.duration - 1
        assert np.array_equal(out["css_mask"].reshape(4, -1).any(axis=1), last)


def test_transform_cifar10(tmp_path):
    nps = {"tcf10_image": (3, 16, 16), "tcf10_transform": (2, 16, 16),
           "tcf10_crop": (2, 8, 8), "tcf10_relposmap": (1, 16, 16)}
    iface = make("transform_cifar10", nps, f"source_path: {write_cifar(tmp_path / 'c')}")
    for out in run(iface, 20):
        assert np.abs(out["tcf10_transform"]).max() < 2
        assert out["tcf10_crop"][0, 0, 0, 0] == -1 and out["tcf10_crop"][0, 0, -1, 0] == 1
        assert out["tcf10_relposmap"].max() > 0.3


def test_sim_world_moves_and_senses():
    topics = {"Fx": (1, 1, 1), "Fy": (1, 1, 1), "Fa": (1, 1, 1), "ret_fov": (3, 16, 1),
              "ret_per": (3, 32, 1), "dist_fov": (1, 16, 1), "dist_per": (1, 32, 1),
              "haptic": (8, 1, 1), "lookat": (12, 1, 1), "acc_x": (12, 1, 1),
              "acc_y": (12, 1, 1), "acc_a": (12, 1, 1)}
    iface = make("sim", topics, inputs=("Fx", "Fy", "Fa"), agents=3)
    start = iface.world.pos[:3].copy()
    push = {"Fx": np.ones((3, 1, 1, 1), np.float32)}
    outs = run(iface, 10, inputs=push)
    assert np.all(np.hypot(*(iface.world.pos[:3] - start).T) > 5)
    out = outs[-1]
    assert {n: v.shape for n, v in out.items()} == iface.variables
    assert 0 < out["dist_per"].min() and out["dist_per"].max() <= 1
    assert set(np.unique(out["ret_per"])) <= {0.0, 1.0}
    saved = iface.state_dict()
    expected = run(iface, 5, start=10, inputs=push)
    iface.load_state_dict(saved)
    for a, b in zip(expected, run(iface, 5, start=10, inputs=push)):
        for name in a:
            np.testing.assert_array_equal(a[name], b[name])
