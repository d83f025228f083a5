"""The demo's frames/s with the GUI attached (drawing 4 sub-windows) and without it.

One session streams the demo; one ``statestream viz`` process (dummy video driver) is
attached the whole time and alternately stopped (SIGSTOP: without GUI) and running
(SIGCONT: with GUI), so both conditions share the same session and warm caches. The last
number of the last line is the ratio with / without (target >= 0.95).

Usage: python bench/gui.py [--rounds R] [--seconds S] [--fps F]
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import statestream  # noqa: E402

WINDOWS = ["image:maps", "hidden1:maps", "hidden2:histogram", "prediction:plot"]


def frames_per_second(session, seconds: float) -> float:
    start_frame, start = session.frame, time.perf_counter()
    time.sleep(seconds)
    return (session.frame - start_frame) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--fps", type=float, default=30.0, help="the GUI's frame rate limit")
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=ROOT, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy",
               STATESTREAM_DATA_DIR=os.path.join("/tmp", f"statestream-bench-gui-{os.getpid()}"))
    with statestream.open("demo", seed=0, threads=1) as session:
        session.stream()
        command = [sys.executable, "-m", "statestream", "viz", session.id, "--no-restore",
                   "--fps", str(args.fps)] + [a for w in WINDOWS for a in ("--open", w)]
        gui = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        try:
            time.sleep(6)  # the GUI starts and opens its windows
            if gui.poll() is not None:
                raise SystemExit(f"the GUI ended early (exit {gui.returncode})")
            frames_per_second(session, 2)  # warm-up
            without, attached = [], []
            for k in range(args.rounds):
                gui.send_signal(signal.SIGSTOP)
                without.append(frames_per_second(session, args.seconds))
                gui.send_signal(signal.SIGCONT)
                time.sleep(0.5)
                attached.append(frames_per_second(session, args.seconds))
                print(f"round {k + 1}: without GUI {without[-1]:.1f} frames/s, with GUI "
                      f"{attached[-1]:.1f} frames/s", flush=True)
        finally:
            gui.send_signal(signal.SIGCONT)
            gui.terminate()
            gui.wait(20)
    a, b = statistics.median(attached), statistics.median(without)
    print(f"demo frames/s: with GUI (4 sub-windows, {args.fps:g} fps) {a:.1f}, without {b:.1f}, "
          f"ratio {a / b:.3f}")


if __name__ == "__main__":
    main()
