"""``statestream sessions``: list running sessions; ``--clean`` removes dead ones' memory."""
from __future__ import annotations

import time

from statestream.runtime import shm


def add_parser(sub) -> None:
    parser = sub.add_parser("sessions", help="list running sessions (attach tools by id)")
    parser.add_argument("--clean", action="store_true",
                        help="remove the shared memory of sessions whose core is gone")
    parser.set_defaults(handler=cmd_sessions)


def cmd_sessions(args) -> int:
    if args.clean:
        for sid in shm.stale_sessions():
            for path in shm.unlink_session(sid):
                print(f"removed {path}")
    live = shm.live_sessions()
    if not live:
        print("no running sessions")
    for layout in sorted(live, key=lambda s: s.get("created", 0)):
        age = time.time() - layout.get("created", time.time())
        print(f"{layout['session']}  pid {layout['owner_pid']}  {layout['graph_file']}  "
              f"{layout['agents']} agents  {len(layout['processes'])} processes  "
              f"up {age:.0f} s")
    return 0
