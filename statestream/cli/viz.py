"""``statestream viz [ID]``: the live GUI attached to a running session; with
``--screenshot OUT.png`` it renders once after N more frames, writes the PNG and exits."""
from __future__ import annotations

import re

from statestream.errors import UserError


def add_parser(sub) -> None:
    parser = sub.add_parser("viz", help="watch and steer a running session in a window")
    parser.add_argument("session", nargs="?", default=None, metavar="ID",
                        help="the session to attach to (default: the only one running)")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="render, write a PNG and exit (works with SDL_VIDEODRIVER=dummy)")
    parser.add_argument("--frames", type=int, default=1, metavar="N",
                        help="with --screenshot: frames to wait for first (default 1)")
    parser.add_argument("--open", action="append", default=[], metavar="ITEM[:MODE[:OTHER]]",
                        help="open a sub-window (modes: maps, histogram, plot, scatter, rgb; "
                        "scatter takes a second signal OTHER); ITEM mv/NAME is a meta-variable; "
                        "rollout[:NP:FRAME] opens the rollout view (with that cell selected); "
                        "repeatable")
    parser.add_argument("--size", default="1280x800", metavar="WxH", help="window size")
    parser.add_argument("--fps", type=float, default=30.0, help="GUI frame rate limit")
    parser.add_argument("--nice", type=int, default=10, metavar="N",
                        help="lower the GUI's scheduling priority by N (default 10), so a "
                        "busy machine serves the network first")
    parser.add_argument("--no-restore", action="store_true",
                        help="start from the graph's first layout, not the saved one")
    parser.set_defaults(handler=cmd_viz)


def parse_size(text: str) -> tuple:
    match = re.fullmatch(r"(\d{2,5})x(\d{2,5})", text.strip())
    if not match:
        raise UserError(f"--size must look like 1280x800, got {text!r}")
    width, height = int(match.group(1)), int(match.group(2))
    if not (200 <= width <= 8192 and 150 <= height <= 8192):
        raise UserError(f"--size must lie within 200x150 and 8192x8192, got {text!r}")
    return width, height


def parse_open(text: str) -> tuple:
    """(source, mode, other) of one --open value."""
    parts = text.split(":")
    if len(parts) > 3 or not parts[0]:
        raise UserError(f"--open takes ITEM[:MODE[:OTHER]], got {text!r}")
    return parts[0], parts[1] if len(parts) > 1 and parts[1] else "maps", (
        parts[2] if len(parts) > 2 else None)


def cmd_viz(args) -> int:
    from statestream.viz import require_pygame

    require_pygame()
    size = parse_size(args.size)
    opens = [parse_open(text) for text in args.open]
    if args.frames < 0:
        raise UserError(f"--frames must be 0 or more, got {args.frames}")
    if not 1 <= args.fps <= 240:
        raise UserError(f"--fps must lie in [1, 240], got {args.fps:g}")
    if args.screenshot:
        from statestream.fileio import check_writable

        check_writable(args.screenshot, "screenshot")
    import os

    import statestream
    from statestream.viz.app import App

    if args.nice > 0:
        try:
            os.nice(min(args.nice, 19))
        except OSError:
            pass

    session = statestream.attach(args.session)
    app = None
    try:
        shot = bool(args.screenshot)
        app = App(session, size, fps=args.fps, restore=not (shot or args.no_restore),
                  save=not shot)
        for source, mode, other in opens:
            if source == "rollout" and source not in app.link.readable:
                from statestream.rollout import parse_cell

                select = parse_cell(f"{mode}:{other}") if other is not None else None
                restored = [w for w in app.windows if w.source == "rollout"]
                if restored and select is None:
                    continue  # the saved layout has it already
                app.open_rollout(select)
            else:
                app.open_window(source, mode, other)
        if opens and (shot or args.no_restore):
            app.view.fit(app.graph_area())
        if shot:
            app.screenshot(args.screenshot, args.frames)
            print(f"wrote {args.screenshot} (frame {session.frame})")
        else:
            app.run()
            app = None
            if not _alive(session):
                print(f"statestream: session {session.id} has ended")
    finally:
        if app is not None:
            app.close()
        session.detach()
    return 0


def _alive(session) -> bool:
    try:
        session._alive()
        return True
    except UserError:
        return False
