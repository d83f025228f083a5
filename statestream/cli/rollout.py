"""``statestream rollout FILE --png OUT.png``: the graph unrolled in time (no session needed).

Rows are neuron-pools, columns frames after a stimulus reaches the inputs; a marker per
input shows the first frame at which it can reach each NP (what ``check`` reports as
first_frame), ``--select NP:FRAME`` highlights what that cell depends on and influences,
``--session ID`` colours the cells with the session's mean states.
"""
from __future__ import annotations

import io
import json

MAX_FRAMES = 200
COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2")


def add_parser(sub) -> None:
    p = sub.add_parser("rollout", help="draw the graph unrolled in time (NPs x frames)")
    p.add_argument("file", help="the .st_graph file")
    p.add_argument("--png", metavar="OUT.png", help="write the picture to OUT.png")
    p.add_argument("--json", action="store_true",
                   help="print the first frames (and the selected path) as JSON")
    p.add_argument("--frames", type=int, metavar="N", help="number of columns")
    p.add_argument("--select", metavar="NP:FRAME", help="highlight this cell's dependencies")
    p.add_argument("--session", metavar="ID", help="show a running session's mean states")
    p.set_defaults(handler=cmd_rollout)


def cmd_rollout(args) -> int:
    from statestream.cli.common import resolve_user_path
    from statestream.errors import UserError
    from statestream.fileio import atomic_open, check_writable
    from statestream.graph import load_graph
    from statestream.rollout import dependency_path, parse_cell, rollout_grid

    if not args.png and not args.json:
        raise UserError("rollout: give --png OUT.png and/or --json")
    if args.frames is not None and not 1 <= args.frames <= MAX_FRAMES:
        raise UserError(f"--frames must lie in [1, {MAX_FRAMES}], got {args.frames}")
    if args.png:
        check_writable(args.png, "picture")
    graph = load_graph(resolve_user_path(args.file))
    grid = rollout_grid(graph, args.frames)
    path = dependency_path(grid, *parse_cell(args.select)) if args.select else None
    activity = None
    if args.session is not None:
        activity = _activity(args.session, grid)
    if args.json:
        out = {"graph": graph.name, "frames": grid.frames, "rows": grid.rows,
               "first_frames": grid.first, "first_from": grid.first_from}
        if path is not None:
            out["select"] = {k: sorted([list(c) for c in path[k]]) for k in ("back", "forward")}
        print(json.dumps(out, indent=2))
    if args.png:
        data = render_png(graph.name, grid, path, activity)
        with atomic_open(args.png, "wb", what="picture") as handle:
            handle.write(data)
        print(f"wrote {args.png}")
    return 0


def _activity(session_id, grid):
    from statestream.rollout import session_activity
    from statestream.runtime.api import attach

    client = attach(session_id)
    try:
        return session_activity(client, grid)
    finally:
        client.close()


def render_png(name: str, grid, path=None, activity=None) -> bytes:
    """The rollout as PNG bytes (matplotlib, no window)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rows, frames = grid.rows, grid.frames
    y = {n: len(rows) - 1 - i for i, n in enumerate(rows)}
    fig = Figure(figsize=(2.2 + 0.75 * frames, 1.4 + 0.5 * len(rows)), dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    on_path = path["edges"] if path else set()
    for c in range(1, frames):
        for src, tgt in grid.links:
            edge = ((src, c - 1), (tgt, c))
            ax.plot([c - 1, c], [y[src], y[tgt]], zorder=1,
                    color="#ff7f0e" if edge in on_path else "#cccccc",
                    linewidth=2.2 if edge in on_path else 0.8)
    if activity is not None:
        _draw_activity(ax, fig, grid, y, activity)
    for n in rows:
        for c in range(frames):
            reached = grid.reached(n, c)
            colour, size, edge = ("#9ecf9e" if reached else "#eeeeee"), 180, "#777777"
            if path and (n, c) in path["back"] | path["forward"]:
                colour, size, edge = "#ffe9a8", 260, "#ff7f0e"
            if path and (n, c) == (path.get("cell") or _selected(path)):
                colour, edge = "#222222", "#000000"
            ax.scatter([c], [y[n]], s=size, c=colour, edgecolors=edge, zorder=2,
                       alpha=0.55 if activity is not None else 1.0)
        for k, source in enumerate(grid.inputs):
            first = grid.first_from[n][source]
            if first is not None and first < frames:
                dx = (k - (len(grid.inputs) - 1) / 2) * 0.16
                ax.scatter([first + dx], [y[n] + 0.28], marker="v", s=42, zorder=3,
                           c=COLOURS[k % len(COLOURS)], label=f"first from {source}"
                           if n == source else None)
    ax.set_yticks([y[n] for n in rows])
    ax.set_yticklabels([f"{n} ({'-' if grid.first[n] is None else grid.first[n]})"
                        for n in rows])
    ax.set_xticks(range(frames))
    if activity is not None:
        ax.set_xticklabels([str(activity[0] + c) for c in range(frames)], rotation=45)
        ax.set_xlabel("session frame")
    else:
        ax.set_xlabel("frames after the inputs hold a stimulus")
    ax.set_xlim(-0.6, frames - 0.4)
    ax.set_ylim(-0.7, len(rows) - 0.2)
    ax.set_frame_on(False)
    ax.tick_params(length=0)
    title = f"rollout of {name}: NP (first frame) x frame"
    if path:
        title += f"; selected {_selected(path)[0]} at {_selected(path)[1]}"
    ax.set_title(title, fontsize=10)
    for colour, label in (("#9ecf9e", "reachable from an input"), ("#eeeeee", "not yet"),
                          ("#ffe9a8", "on the selected cell's path") if path else (None, None)):
        if colour:
            ax.scatter([], [], s=120, c=colour, edgecolors="#777777", label=label)
    if grid.inputs:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _selected(path) -> tuple:
    both = path["back"] & path["forward"]
    return next(iter(both))


def _draw_activity(ax, fig, grid, y, activity) -> None:
    """Squares coloured by each row's mean state (normalised per row)."""
    import numpy as np

    _, values = activity
    for n in grid.rows:
        row = np.array([np.nan if v is None else v for v in values[n]], dtype=float)
        if np.all(np.isnan(row)):
            continue
        lo, hi = np.nanmin(row), np.nanmax(row)
        shown = (row - lo) / (hi - lo) if hi > lo else np.full_like(row, 0.5)
        ax.imshow(shown[None, :], extent=(-0.5, len(row) - 0.5, y[n] - 0.45, y[n] + 0.45),
                  cmap="magma", vmin=0, vmax=1, aspect="auto", zorder=0)
    ax.text(1.0, -0.08, "cells: mean state, normalised per row", transform=ax.transAxes,
            fontsize=7, ha="right")
