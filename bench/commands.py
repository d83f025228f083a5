"""Command round trips while the demo streams (learning on, no delay).

An attached tool in a second process sends commands and times each reply. Reading
commands (status, state NP, get) are answered at once; commands that change the session
take effect between two frames, so they wait for the frame in progress.

    python bench/commands.py [--count 300]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import textwrap

import statestream

TOOL = """
import json, sys, time, statestream
tool = statestream.attach(sys.argv[1])
out = {}
for text in sys.argv[3:]:
    times = []
    for _ in range(int(sys.argv[2])):
        start = time.perf_counter()
        reply = tool.command(text)
        times.append(time.perf_counter() - start)
        assert not reply.startswith("error"), reply
    out[text] = times
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    import json

    commands = ["status", "state prediction", "get classification lr",
                "set classification lr 0.001", "delay 0"]
    with statestream.open("demo", seed=0, threads=1) as session:
        session.stream()
        session.wait_frame(20)
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        done = subprocess.run([sys.executable, "-c", textwrap.dedent(TOOL), session.id,
                               str(args.count), *commands], capture_output=True, text=True,
                              env=dict(os.environ, PYTHONPATH=root), check=True)
        frames = session.frame
    times = json.loads(done.stdout)
    print(f"demo streaming with learning; {args.count} round trips per command, "
          f"{frames} frames meanwhile")
    for text, values in times.items():
        ms = sorted(1000 * v for v in values)
        print(f"  {text:30s} median {statistics.median(ms):6.2f} ms   p90 "
              f"{ms[int(0.9 * len(ms))]:6.2f} ms")
    everything = [1000 * v for values in times.values() for v in values]
    print(f"median round trip over all commands: {statistics.median(everything):.2f} ms")


if __name__ == "__main__":
    main()
