"""The reproducers of issue 14: each must be a FILE:LINE error or build and compute a frame."""
from __future__ import annotations

import re
import time

import pytest

from statestream.errors import SpecError, UserError
from statestream.graph import parse_graph
from statestream.graph.summary import summary

LINE = re.compile(r"^g\.st_graph:\d+: ")


def rejected(text: str, seconds: float = 5.0) -> SpecError:
    """``text`` is refused quickly with positioned, short messages."""
    start = time.perf_counter()
    with pytest.raises(SpecError) as info:
        parse_graph(text, file="g.st_graph")
    assert time.perf_counter() - start < seconds
    for problem in info.value.problems:
        assert LINE.match(str(problem)), str(problem)
        assert len(str(problem)) < 400
    return info.value


def runs(text: str) -> None:
    """Accepted or refused; when accepted, one frame on both backends without a crash."""
    from statestream.runtime.simulator import Simulator

    try:
        graph = parse_graph(text, file="g.st_graph")
    except SpecError as exc:
        assert all(LINE.match(str(p)) for p in exc.problems), str(exc)
        return
    summary(graph)
    for backend in ("numpy", "torch"):
        try:
            Simulator(graph, backend=backend, synthetic_inputs=True, threads=1).step()
        except UserError:
            pass


def test_module_named_like_a_section_does_not_crash():
    runs("{name: r1, agents: 1, modules: {neuron_pools: {neuron_pools: {n: {shape: [1, 1, 1]}}}},"
         " neuron_pools: {a: {shape: [1, 1, 1]}}}")


@pytest.mark.parametrize("key", [
    'act: "g * (10**18)**256"',
    'shape: ["((10**18)**256)**256 * g", 1, 1]',
    'dropout: "g * (10**18)**256"',
])
def test_huge_global_arithmetic_is_refused(key):
    rejected("{name: r, agents: 1, globals: {g: 1}, neuron_pools: {a: {shape: [1,1,1], "
             + key + "}}}")


def test_huge_rf_from_globals_is_refused():
    rejected("{name: r, agents: 1, globals: {g: 1}, neuron_pools: {a: {shape: [1,2,2]}, "
             "b: {shape: [1,2,2]}}, synapse_pools: {s: {source: [[a]], target: b, "
             "rf: \"g + (10**18)**256\"}}}")


def _loss(extra: str) -> str:
    return ("{name: r, agents: 1, neuron_pools: {a: {shape: [1,1,1]}, b: {shape: [1,1,1]}}, "
            "synapse_pools: {s: {source: [[a]], target: b}}, plasticities: {p: {type: loss, "
            "loss_function: MSE, source: b, target: a, parameter: [[sp, s, W_0_0]], "
            + extra + "}}}")


@pytest.mark.parametrize("extra", ["source_t: 1, target_t: 9223372036854775807",
                                   "source_t: 1000000"])
def test_deep_rollouts_are_refused_quickly(extra):
    rejected(_loss(extra), seconds=2.0)


def test_moderate_rollout_is_accepted():
    graph = parse_graph(_loss("source_t: 10000"), file="g.st_graph")
    assert graph.plasticities["p"].source_t == 10000


def test_exponent_tower_in_an_activation_is_refused_quickly():
    rejected('{name: r, agents: 1, neuron_pools: {a: {shape: [1,1,1], '
             'act: "$ * (((10**18)**256)**256)**256"}}}', seconds=2.0)


@pytest.mark.parametrize("act", [
    "B.linround($, s=0)", "B.repeat($, reps=-1, axis=0)", "B.mean(0.5) + $",
    "B.sigmoid(-2) * $", "B.exp(-2) + $", "B.selu(0) + $", "-($ > 0)",
    "B.tensordot($, $, axes=(1, 2))", "B.prod(B.selu(0.5 == 1), axis=1) + $",
])
def test_activations_that_crashed_simulate(act):
    runs("{name: s, agents: 1, neuron_pools: {a: {shape: [2,1,1], act: '" + act + "'}}}")


@pytest.mark.parametrize("act", ["B.linround($, s=0)", "-($ > 0)",
                                 "B.tensordot($, $, axes=(1, 2))"])
def test_bad_activations_are_refused_at_check(act):
    err = rejected("{name: s, agents: 1, neuron_pools: {a: {shape: [2,1,1],\n act: '"
                   + act + "'}}}")
    assert "g.st_graph:2: a:" in str(err)


@pytest.mark.parametrize("act", ["B.mean(0.5) + $", "B.sigmoid(-2) * $", "B.exp(-2) + $",
                                 "B.selu(0) + $"])
def test_python_scalars_work_on_both_backends(act):
    from statestream.runtime.simulator import Simulator

    graph = parse_graph("{name: s, agents: 1, neuron_pools: {a: {shape: [2,1,1], act: '"
                        + act + "'}}}", file="g.st_graph")
    for backend in ("numpy", "torch"):
        Simulator(graph, backend=backend, synthetic_inputs=True, threads=1).step()


def test_shape_changing_sp_activation_is_refused():
    rejected("{name: s, agents: 1, neuron_pools: {a: {shape: [3,1,1]}, b: {shape: [3,1,1]}}, "
             "synapse_pools: {s: {source: [[a]], target: b, act: 'B.argmax($)'}}}")


def test_shape_changing_np_activation_is_refused():
    rejected("{name: s, agents: 1, neuron_pools: {osci: {shape: [1,1,1], "
             "act: 'B.reshape($, shape=(-1,))'}}, interfaces: {o: {type: oscillator, "
             "out: [osci]}}}")


@pytest.mark.parametrize("init", ["normal_0_-1", "uniform_1_0"])
def test_bad_init_distributions_are_refused(init):
    rejected("{name: s, agents: 1, neuron_pools: {a: {shape: [2,1,1], bias_shape: feature,\n"
             " 'init b': " + init + "}}}")


@pytest.mark.parametrize("iface", [
    "{type: random, out: [random], distribution: normal, mode: .nan}",
    "{type: random, out: [random], distribution: normal, mode: .inf}",
    "{type: random, out: [random], distribution: uniform, min: -1.0e+308, max: 1.0e+308}",
])
def test_random_interface_numbers_are_checked(iface):
    rejected("{name: s, agents: 1, neuron_pools: {random: {shape: [1,2,2]}}, interfaces: {i: "
             + iface + "}}")


def test_moving_edges_velocity_is_checked():
    rejected("{name: s, agents: 1, neuron_pools: {medge_board: {shape: [1,12,12]}, "
             "medge_dxdy: {shape: [2,1,1]}}, interfaces: {i: {type: moving_edges, "
             "out: [medge_board, medge_dxdy], minmax_velocity: .inf}}}")


def test_roman_numerals_duration_is_checked():
    rejected("{name: s, agents: 1, neuron_pools: {rn_image: {shape: [1,8,8]}, "
             "rn_label: {shape: [10,1,1]}}, interfaces: {i: {type: roman_numerals, "
             "out: [rn_image, rn_label], max_duration: 1.0e+300}}}")


def test_parameter_memory_is_capped():
    err = rejected("{name: s, agents: 1, neuron_pools: {a: {shape: [1,4,4]}, "
                   "b: {shape: [1,4,4]}}, synapse_pools: {s: {source: [[a]], target: b, "
                   "rf: 200001}}}")
    assert "rf" in str(err) or "parameter" in str(err)


@pytest.mark.parametrize("text", [
    "name: s\nagents: 1\nneuron_pools:\n  a: {shape: [1,1,1]}\n  b: \x07{shape: [1,1,1]}\n",
    "name: s\nagents: 1\n" + "x: " + "[" * 3000 + "]" * 3000 + "\n",
])
def test_yaml_errors_have_a_line(text):
    rejected(text)
