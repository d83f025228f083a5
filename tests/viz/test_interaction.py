"""Scripted interaction through pygame events posted into the app's event loop: the
session changes as expected, the log records it, closing the GUI leaves it streaming."""
from __future__ import annotations

import time

import numpy as np
import pytest

import statestream
from tests.viz.cases import GRAPH


@pytest.fixture
def session():
    with statestream.open(GRAPH, seed=0, learning=False) as session:
        yield session


@pytest.fixture
def app(session):
    from statestream.viz.app import App

    app = App(session, (1024, 700), fps=240, restore=False, save=False)
    yield app
    app.close()


def key(pygame, name, char=""):
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.key.key_code(name),
                                         mod=0, unicode=char))


def click(pygame, pos, button=1):
    pos = (int(pos[0]), int(pos[1]))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=button))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=button))


def centre(rect):
    return rect[0] + rect[2] // 2, rect[1] + rect[3] // 2


def typed(pygame, text):
    for char in text:
        key(pygame, char if char.isalnum() else {".": ".", "-": "-"}[char], char)
    key(pygame, "return")


def menu_action(app, item, label):
    pygame = app.pygame
    click(pygame, app.view.screen_pos(item), button=3)
    app.tick()
    assert app.menu is not None and app.menu.title == item
    click(pygame, centre(app.menu.entry_rect(label)))
    app.tick()


def test_pause_step_open_and_change_a_bias(app, session):
    pygame = app.pygame
    app.tick()
    key(pygame, "space")
    app.tick()
    assert session.streaming
    key(pygame, "space")
    app.tick()
    assert not session.streaming
    frame = session.frame
    step = [rect for _, action, rect in app.top_buttons() if action == "step"][0]
    click(pygame, centre(step))
    app.tick()
    session.wait_frame(frame + 1, timeout=10)
    time.sleep(0.2)
    assert session.frame == frame + 1  # one frame, then paused again

    menu_action(app, "gray", "show state")
    assert [(w.source, w.mode) for w in app.windows] == [("gray", "maps")]
    app.tick()
    before = app.windows[0].current.copy()
    assert abs(float(before.mean())) < 0.3  # noise around 0

    menu_action(app, "gray", "edit settings...")
    form = app.form
    names = [row[0] for row in form.rows]
    assert {"b", "noise_std", "period", "offset"} <= set(names)
    click(pygame, centre(form.row_rect(names.index("b"))))
    typed(pygame, "0.5")
    app.tick()
    assert form.reply == "ok"
    assert session.param("gray", "b") == pytest.approx(0.5)
    log = session.command("log")
    assert "gray.b 0 -> 0.5" in log
    session.step(1, timeout=10)
    app.tick()
    after = app.windows[0].current
    assert abs(float(after.mean()) - 0.5) < 0.3

    click(pygame, centre(form.row_rect(names.index("noise_std"))))
    typed(pygame, "-1")
    app.tick()
    assert form.reply.startswith("error: ") and "noise_std" in form.reply
    assert session.param("gray", "noise_std") == pytest.approx(1.0)
    key(pygame, "escape")
    app.tick()
    assert app.form is None

    app.show_log = True
    app.tick()
    assert "gray.b 0 -> 0.5" in app.log_text


def test_closing_the_gui_leaves_the_session_streaming(app, session):
    pygame = app.pygame
    key(pygame, "space")
    app.tick()
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    assert app.tick() is False
    app.close()
    frame = session.frame
    session.wait_frame(frame + 3, timeout=10)
    assert session.streaming


def test_the_watchdog_pauses_and_marks_where_nan_appeared(app, session):
    app.tick()
    session.stream()
    session.set("picture", "noise_std", 1e4)
    deadline = time.monotonic() + 20
    while app.watchdog.first is None and time.monotonic() < deadline:
        app.tick()
    assert app.watchdog.first is not None
    assert app.view.highlights == {"broken"}
    time.sleep(0.3)
    assert not session.streaming
    assert "broken" in app.link.message


def test_hotkeys_help_camera_and_item_menu_of_a_synapse_pool(app, session):
    pygame = app.pygame
    key(pygame, "/", "?")
    app.tick()
    assert app.show_help and any("space" in line for line in app.controls.help_lines())
    zoom = app.view.camera.zoom
    key(pygame, "=", "+")
    app.tick()
    assert app.view.camera.zoom > zoom
    key(pygame, "2", "2")
    app.tick()
    assert "sp" not in app.view.shown_kinds
    key(pygame, "2", "2")
    key(pygame, "escape")
    app.tick()
    assert not app.show_help
    menu_action(app, "maps_vector", "   as histogram")
    assert [(w.source, w.mode) for w in app.windows] == [("maps_vector/W_0_0", "histogram")]
    app.tick()
    assert app.windows[0].current.shape == (10, 6, 8, 8)


def test_layouts_are_saved_per_graph_and_restored(session, data_dir):
    from statestream.viz.app import App

    first = App(session, (800, 600), fps=240, restore=False)
    first.open_window("maps", "histogram").agent = 2
    first.view.positions["gray"] = (-500.0, 42.0)
    first.view.show_names = False
    first.tick()
    first.close()
    assert (data_dir / "layouts" / "vizshapes.json").is_file()
    second = App(session, (800, 600), fps=240)
    try:
        assert [(w.source, w.mode, w.agent) for w in second.windows] == [("maps", "histogram", 2)]
        assert second.view.positions["gray"] == (-500.0, 42.0)
        assert not second.view.show_names
    finally:
        second.close()
    (data_dir / "layouts" / "vizshapes.json").write_text("{not json")
    third = App(session, (800, 600), fps=240, save=False)  # a broken file: first layout
    third.close()
    assert third.windows == []


def test_typing_garbage_changes_nothing(app, session):
    pygame = app.pygame
    menu_action(app, "gray", "edit settings...")
    typed(pygame, "1e999")
    app.tick()
    assert app.form.reply.startswith("error: ")
    before = {name: np.copy(session.param("gray", name)) for name in ("b", "noise_std")}
    for char in "x;rm -rf":
        key(pygame, "x", char)
    key(pygame, "return")
    app.tick()
    assert app.form.reply.startswith("error: ")
    assert all(session.param("gray", n) == before[n] for n in before)


def test_a_metavariable_added_through_the_api_opens_from_the_list_and_changes(app, session):
    pygame = app.pygame
    session.add_metavariable("spread", "scalar_stats", source=["maps"], stats=["std"])
    app.tick()
    app.tick()  # the list refreshes at most once a second
    time.sleep(1.1)
    app.tick()
    name, line, plot, maps = app.metas.rows(app.font)[0]
    assert name == "spread" and "[1x1]" in line
    click(pygame, centre(plot))
    app.tick()
    window = app.windows[-1]
    assert (window.source, window.mode) == ("mv/spread", "plot")
    seen = []
    for _ in range(4):
        session.command("set maps noise_std 2")  # the spread grows frame by frame
        session.step(2)
        calls = app.metas.calls
        app.tick()
        assert app.metas.calls == calls + 1  # one fetch per new value, none when idle
        app.tick()
        assert app.metas.calls == calls + 1
        seen.append(float(window.current.ravel()[0]))
    frames, values = session.metavariable("spread", frames=8)
    assert [f for f, _ in window.history] == list(frames)
    assert np.allclose([v.ravel()[0] for _, v in window.history], values.ravel())
    assert len(set(seen)) == 4
    key(pygame, "r", "r")  # the rollout view opens and closes with r
    app.tick()
    assert app.windows[-1].source == "rollout"
    key(pygame, "r", "r")
    app.tick()
    assert all(w.source != "rollout" for w in app.windows)


def test_layouts_keep_metavariable_definitions_and_the_rollout(session, data_dir):
    from statestream.viz.app import App

    session.add_metavariable("m", "scalar_stats", source=["gray"], stats=["mean", "max"])
    first = App(session, (1024, 700), fps=240, restore=False)
    first.tick()
    first.open_window("mv/m", "maps")
    first.open_rollout(("maps", 1))
    first.close()  # saves the layout
    session.remove_metavariable("m")
    second = App(session, (1024, 700), fps=240)
    try:
        info = {i["name"]: i for i in session.metavariables()}
        assert info["m"]["definition"] == {"type": "scalar_stats", "source": "gray",
                                           "stats": ["mean", "max"]}
        assert [w.source for w in second.windows] == ["mv/m", "rollout"]
        assert second.windows[1].selected == ("maps", 1)
    finally:
        second.close()
