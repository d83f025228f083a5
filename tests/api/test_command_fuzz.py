"""Nothing sent on the command channel can stop, hang or crash a streaming session."""
from __future__ import annotations

import random

import numpy as np

import statestream
from statestream.runtime.commands import COMMANDS, LISTINGS
from statestream.runtime.preflight import resolve_graph

NUMBERS = ["0", "1", "-1", "3", "7.5", "1e20", "-1e20", "99999999999999999999", "1e-30", "inf",
           "-inf", "nan", "NaN", "0x10", "1_000", "+5", "--1", "٣", "½", "1e308", "3.4e38",
           "-0", "", "9" * 400, "1e", ".", "-"]
WORDS = ["", " ", "\t", "exit now", "é", "日本", "\u202e", "\\x00", "a" * 5000, "🙂", "${x}",
         "$(rm -rf /)", "'", '"', "#", ";", "|", "None", "True", "__import__('os')"]


def _line(rng: random.Random, items: list) -> str:
    names = [c for c in COMMANDS if c not in ("exit", "load")]
    words = [rng.choice(names + ["flyaway", "STREAM", "step;", "set"])]
    for _ in range(rng.randrange(0, 5)):
        pool = rng.choice([NUMBERS, WORDS, items, ["noise_std", "lr", "beta1", "b", "W_0_0",
                                                    "min_duration", "mode", "eps", "amplitude"]])
        words.append(rng.choice(pool))
    line = " ".join(words)
    if words[0] in ("save", "load"):  # never write into (or read from) the working folder
        line = f"{words[0]} /nonexistent-folder/" + "".join(words[1:])[:20]
    return line


def test_five_thousand_random_command_lines_against_a_streaming_demo():
    rng = random.Random(20261203)
    graph = resolve_graph("demo").with_agents(16)
    with statestream.open(graph, seed=0, threads=1) as session:
        tool = statestream.attach(session.id)
        items = session.items
        session.stream()
        replies = 0
        for i in range(5000):
            line = _line(rng, items)
            reply = tool.command(line, timeout=30)
            replies += 1
            head = line.split()[0] if line.split() else ""
            if head not in LISTINGS:
                assert "\n" not in reply, (line, reply)
            assert reply == "ok" or not reply.startswith("error: internal"), (line, reply)
            if i % 200 == 0:  # keep it streaming whatever the fuzz paused or delayed
                tool.command("stream")
                tool.command("delay 0")
        tool.command("delay 0")
        for name in items:
            tool.command(f"resume {name}")
        tool.command("stream")
        start = session.frame
        session.wait_frame(start + 10, timeout=60)
        frame, states = session.read(list(session.graph.neuron_pools))
        for name, value in states.items():
            assert np.all(np.isfinite(value)), f"{name} not finite at frame {frame}"
        tool.close()
        assert replies == 5000
