"""bilinear_sample: clamped coordinates, border replicate, weights summing to 1."""
import numpy as np

from .helpers import assert_close

RNG = np.random.default_rng(11)


def sample(B, img, py, px):
    return B.to_numpy(B.bilinear_sample(B.asarray(img), B.asarray(py), B.asarray(px)))


def test_hand_example(backend):
    img = np.arange(6, dtype=np.float32).reshape(1, 1, 2, 3)  # [[0, 1, 2], [3, 4, 5]]
    py = np.float32([[[0.5, 1.0, -3.0, 0.25, 1.0]]])
    px = np.float32([[[0.5, 1.5, 10.0, 2.0, 2.0]]])
    out = sample(backend, img, py, px)
    assert out.shape == (1, 1, 1, 5)
    assert_close(out[0, 0, 0], np.float32([2.0, 4.5, 2.0, 2.75, 5.0]))


def test_agents_and_channels_are_separate(backend):
    img = np.stack([np.full((2, 4, 4), a, np.float32) + np.arange(2)[:, None, None] * 10
                    for a in range(3)])  # agent a, channel c -> a + 10 c
    py = RNG.uniform(-2, 6, (3, 2, 5)).astype(np.float32)
    out = sample(backend, img, py, py[:, ::-1])
    expected = np.arange(3)[:, None, None, None] + 10 * np.arange(2)[None, :, None, None]
    assert_close(out, np.broadcast_to(expected, (3, 2, 2, 5)).astype(np.float32))


def test_weights_sum_to_one_at_the_border(backend):
    img = np.ones((2, 3, 5, 4), np.float32)
    edges = np.float32([-1.0, 0.0, 3.0, 3.5, 4.0, 4.2, 100.0])
    py, px = np.meshgrid(edges, edges, indexing="ij")
    py, px = np.stack([py, py]), np.stack([px, px])
    assert_close(sample(backend, img, py, px), np.ones((2, 3, 7, 7), np.float32))


def test_integer_coordinates_pick_pixels(backend):
    img = RNG.normal(0, 1, (2, 3, 5, 6)).astype(np.float32)
    yy, xx = np.meshgrid(np.arange(5), np.arange(6), indexing="ij")
    py = np.broadcast_to(yy, (2, 5, 6)).astype(np.float32)
    px = np.broadcast_to(xx, (2, 5, 6)).astype(np.float32)
    assert_close(sample(backend, img, py, px), img, tol=0)


def test_numpy_and_torch_agree(np_b, torch_b):
    img = RNG.normal(0, 1, (3, 4, 7, 5)).astype(np.float32)
    py = RNG.uniform(-2, 9, (3, 6, 8)).astype(np.float32)
    px = RNG.uniform(-2, 7, (3, 6, 8)).astype(np.float32)
    assert_close(sample(torch_b, img, py, px), sample(np_b, img, py, px))
