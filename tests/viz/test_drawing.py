"""Colours and sub-window drawing on hand-made arrays: red is red, ranges, shapes."""
from __future__ import annotations

import numpy as np
import pytest

from statestream.viz import colours
from statestream.viz.subwindows import SubWindow, as_tiles


@pytest.fixture(scope="module")
def pygame():
    import pygame

    pygame.display.init()
    pygame.font.init()
    yield pygame
    pygame.display.quit()


def draw(pygame, window, size=(300, 260)):
    screen = pygame.Surface(size)
    window.rect = [0, 0, size[0], size[1]]
    window.draw(pygame, screen, pygame.font.Font(None, 18))
    return np.transpose(pygame.surfarray.array3d(screen), (1, 0, 2))  # (H, W, RGB)


def test_a_red_test_pattern_shows_red(pygame):
    pattern = np.zeros((1, 3, 8, 8), np.float32)
    pattern[0, 0] = 1.0  # feature 0 = red
    pattern[0, 2, :, 4:] = 1.0  # right half (y >= 4) also blue: magenta
    window = SubWindow("picture", "rgb")
    window.feed(0, {"picture": pattern})
    image = draw(pygame, window)
    assert tuple(image[40, 40]) == (255, 0, 0)       # top left of the picture: y < 4
    assert tuple(image[200, 40]) == (255, 0, 255)    # lower part: y >= 4 (screen rows)
    assert window.bad == 0


def test_x_is_horizontal_and_the_colour_map_runs_low_to_high(pygame):
    ramp = np.zeros((1, 1, 16, 4), np.float32)
    ramp[0, 0] = np.arange(16)[:, None]  # grows along x
    window = SubWindow("ramp", "maps")
    window.feed(0, {"ramp": ramp})
    image = draw(pygame, window, (400, 200))
    row = image[60, 6:330].astype(int)  # the tile spans x 4..334
    assert tuple(row[0]) == tuple(colours.LUT[0])
    assert tuple(row[-1]) == tuple(colours.LUT[255])
    brightness = row.sum(axis=1)
    assert brightness[-1] > brightness[0] + 200  # viridis: dark purple -> yellow


def test_nan_and_inf_are_counted_and_drawn_in_the_warning_colour(pygame):
    values = np.linspace(-1, 1, 36, dtype=np.float32).reshape(1, 1, 6, 6)
    values[0, 0, 0, 0], values[0, 0, 5, 5], values[0, 0, 2, 2] = np.nan, np.inf, -np.inf
    for mode in ("maps", "histogram", "plot", "scatter"):
        window = SubWindow("v", mode)
        window.feed(0, {"v": values})
        image = draw(pygame, window)
        assert window.bad == 3, mode
        assert window.error is None
        assert np.any(np.all(image == colours.WARNING, axis=-1)), mode


@pytest.mark.parametrize("shape,tiles", [((), (1, 1, 1)), ((7,), (7, 1, 1)),
                                         ((5, 6), (1, 5, 6)), ((4, 3, 2, 2), (12, 2, 2))])
def test_any_array_becomes_tiles(shape, tiles):
    assert as_tiles(np.zeros(shape)).shape == tiles


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (1, 10, 1, 1), (1, 1, 9, 9), (1, 5, 4, 4)])
@pytest.mark.parametrize("mode", ["maps", "histogram", "plot", "scatter"])
def test_every_mode_draws_every_state_shape(pygame, shape, mode):
    rng = np.random.default_rng(0)
    window = SubWindow("s", mode)
    for frame in range(3):
        window.feed(frame, {"s": rng.normal(size=shape).astype(np.float32)})
    image = draw(pygame, window)
    assert window.error is None
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 5
    assert not np.any(np.all(image == colours.ERROR_TEXT, axis=-1))


def test_range_modes(pygame):
    window = SubWindow("v", "maps")
    window.feed(0, {"v": np.array([[[[1.0, 3.0]]]])})
    assert window.value_range(window.current) == (1.0, 3.0)
    window.range_mode = "symmetric"
    assert window.value_range(window.current) == (-3.0, 3.0)
    window.range_mode = "window"
    window.act("range")  # window -> tile (freezes the fixed range at the current one)
    window.act("range")  # tile -> fixed
    window.feed(1, {"v": np.array([[[[10.0, 30.0]]]])})
    assert window.range_mode == "fixed" and window.value_range(window.current) == (1.0, 3.0)


def test_a_drawing_error_stays_inside_the_window(pygame):
    window = SubWindow("v", "rgb")
    window.feed(0, {"v": np.zeros((1, 2, 4, 4))})
    image = draw(pygame, window)
    assert np.any(np.all(image == colours.ERROR_TEXT, axis=-1))
    window.feed(1, {})  # the name missing from a read: an error shown, no exception
    assert "KeyError" in window.error
    draw(pygame, window)


def test_agent_selector_and_history(pygame):
    window = SubWindow("v", "plot")
    data = np.arange(3 * 2).reshape(3, 2, 1, 1).astype(float)
    window.feed(0, {"v": data})
    assert window.agents == 3 and window.current.tolist() == [[[0.0]], [[1.0]]]
    window.act("prev_agent")
    window.feed(1, {"v": data})
    assert window.agent == 2 and window.current.tolist() == [[[4.0]], [[5.0]]]
    window.feed(1, {"v": data})
    assert [f for f, _ in window.history] == [0, 1]
