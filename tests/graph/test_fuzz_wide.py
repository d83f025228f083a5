"""Wide fuzz (issue 14): mutants of every base graph never crash or hang ``check``, and an
accepted mutant computes one frame on numpy and torch without an internal error.

Derandomized: seeds are fixed. STATESTREAM_FUZZ_CASES sets the number of check cases
(default 800; with the 2000 cases of test_fuzz.py a few thousand per run),
STATESTREAM_FUZZ_SEED the first seed; the slow test runs 10,000 with a frame each.
"""
from __future__ import annotations

import os

import pytest

from tests.graph.mutants import FILES, run_case

CASES = int(os.environ.get("STATESTREAM_FUZZ_CASES", "800"))
FIRST = int(os.environ.get("STATESTREAM_FUZZ_SEED", "0"))
SIMULATED = 20  # accepted mutants simulated in the default suite


def _failures(seeds, folder, simulate):
    bad = []
    for seed in seeds:
        out = run_case(seed, folder, simulate=simulate, seconds=10.0)
        if out["check"] in ("crash", "hang") or out["simulate"] in ("internal_error", "hang"):
            bad.append(f"seed {seed} {out['label']}: {out['check']}/{out['simulate']}\n"
                       f"{out['detail']}")
    return bad


def test_bases_found():
    assert len(FILES) > 5


def test_check_never_crashes_or_hangs(tmp_path):
    bad = _failures(range(FIRST, FIRST + CASES), str(tmp_path), simulate=False)
    assert not bad, "\n".join(bad[:5])


def test_accepted_mutants_compute_a_frame(tmp_path):
    simulated, bad, seed = 0, [], FIRST + CASES
    while simulated < SIMULATED and seed < FIRST + CASES + 40 * SIMULATED:
        out = run_case(seed, str(tmp_path), simulate=True)
        seed += 1
        if out["simulate"] is None:
            continue
        simulated += 1
        if out["simulate"] in ("internal_error", "hang") or out["check"] == "crash":
            bad.append(f"seed {out['seed']} {out['label']}: {out['detail']}")
    assert simulated == SIMULATED
    assert not bad, "\n".join(bad[:5])


@pytest.mark.slow
def test_many_mutants(tmp_path):
    bad = _failures(range(100_000, 110_000), str(tmp_path), simulate=True)
    assert not bad, "\n".join(bad[:5])
