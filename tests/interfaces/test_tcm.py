"""Temporal confusion matrix: counting rule, smoothing, cumulative counts, delays."""
from __future__ import annotations

import numpy as np
import pytest

from statestream.interfaces.tcm import TemporalConfusionMatrix, accuracy, frame_counts

from .helpers import make


def one_hot(classes, k=3, x=1, y=1):
    pred = np.zeros((len(classes), k, x, y), np.float32)
    pred[np.arange(len(classes)), classes] = 1
    return pred


def test_frame_counts_rule():
    counts = frame_counts(4, 3, delays=[0, 1, 3, 4, -1], true=[0, 1, 2, 0, 0],
                          pred=one_hot([0, 2, 2, 0, 0]))
    assert counts.sum() == 3  # delays 4 and -1 are outside the window
    assert counts[0, 0, 0] == 1 and counts[1, 1, 2] == 1 and counts[3, 2, 2] == 1
    masked = frame_counts(4, 3, [0, 1], [0, 1], one_hot([0, 1]), mask=[1, 0])
    assert masked.sum() == 1 and masked[0, 0, 0] == 1


def test_spatial_mean_and_pixelwise():
    pred = np.zeros((1, 3, 2, 2), np.float32)
    pred[0, 1, 0, 0] = 5.0  # one strong pixel wins the spatial mean
    pred[0, 2, 1:, :] = 1.0
    pred[0, 2, 0, 1] = 1.0
    assert frame_counts(2, 3, [1], [1], pred)[1, 1, 1] == 1
    true = np.array([[[1, 2], [2, 0]]])
    weights = np.array([[[1.0, 0.5], [0.0, 1.0]]])
    counts = frame_counts(2, 3, [0], true, pred, mask=weights)
    assert counts[0, 1, 1] == 1 and counts[0, 2, 2] == 0.5 and counts[0, 0, 2] == 1
    assert counts.sum() == 2.5


def test_smoothing_cumulative_reset():
    tcm = TemporalConfusionMatrix(2, window=1, mean_over=2)
    assert np.all(tcm.conf_mat() == 0) and np.all(tcm.accuracy() == 0)
    for guess in (0, 1, 1):
        tcm.update([0], [0], one_hot([guess], 2))
    assert np.allclose(tcm.conf_mat()[0], [[0, 1], [0, 0]])  # mean of the last two frames
    assert np.allclose(tcm.cumulative()[0], [[1, 2], [0, 0]])
    assert np.allclose(accuracy(tcm.cumulative())[:, 0, 0], [1 / 3])
    tcm.reset()
    assert tcm.cumulative().sum() == 0 and tcm.conf_mat().sum() == 0


@pytest.mark.parametrize("lag", [0, 3])
def test_perfect_predictor_with_lag(lag):
    nps = {"rn_image": (1, 8, 8), "rn_label": (10, 1, 1), "rn_pred": (10, 1, 1)}
    keys = "min_duration: 12\nmax_duration: 16\nconf-mat mean over: 1000"
    iface = make("roman_numerals", nps, keys, agents=16, inputs=("rn_pred",))
    labels = {}

    def feed(k):  # pred written in frame k-1 = label emitted lag frames before that
        return {"rn_pred": labels.get(k - 1 - lag, np.zeros((16, 10, 1, 1), np.float32))}

    for k in range(400):
        out = iface.step(k, feed(k), {}, 0)
        labels[k] = out["rn_label"]
    acc = out["acc"][:, 0, 0]
    assert out["conf_mat"].shape == (9, 10, 10)
    assert np.all(acc[lag:] == 1.0)
    assert np.all(acc[:lag] < 0.4)
