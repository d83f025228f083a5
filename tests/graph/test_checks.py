"""One minimal bad graph per validation check (runtime.md 9.1-9.3).

Each case marks the line the error must point at with ``#!``; the test asserts the
message names that file and line, the item, and what is wrong.
"""
from __future__ import annotations

import textwrap

import pytest

from statestream.errors import SpecError
from statestream.graph import load_graph

HEAD = """\
name: t
agents: 4
"""
NPS = """\
neuron_pools:
    a: {shape: [2, 8, 8]}
    b: {shape: [3, 8, 8]}
    v: {shape: [5, 1, 1]}
    w: {shape: [5, 1, 1]}
"""


def g(body: str, head: str = HEAD, nps: str = NPS) -> str:
    return head + nps + textwrap.dedent(body)


SP_OK = "synapse_pools:\n    a_b: {source: [[a]], target: b, rf: 3}\n"

CASES = [
    # id, text, item, message fragment
    ("0-not-a-mapping", "- a #!\n- b\n", "graph", "must be a mapping"),
    ("1-name-missing", "agents: 4 #!\nneuron_pools: {}\n", "name", "name"),
    ("2-agents-missing", "name: t #!\nneuron_pools: {}\n", "agents", "number of agents"),
    ("2-agents-not-positive", "name: t\nagents: 0 #!\n", "agents", "positive integer"),
    ("3b-section-not-mapping", "name: t\nagents: 2\nneuron_pools: [] #!\n", "neuron_pools",
     "must be a mapping"),
    ("4a-empty-item", g("", nps="neuron_pools:\n    a: #!\n"), "a", "empty item"),
    ("4b-bad-name", g("", nps="neuron_pools:\n    extra-np: {shape: [1]} #!\n"), "extra-np",
     "invalid item name"),
    ("4b-bad-name-dot", g("synapse_pools:\n    extra.sp: {source: [[a]], target: b} #!\n"),
     "extra.sp", "invalid item name"),
    ("5-duplicate-name", g("synapse_pools:\n    a: {source: [[a]], target: b} #!\n"), "a",
     "unique"),
    ("6a-bias-shape", g("", nps="neuron_pools:\n    a:\n        shape: [2]\n"
                          "        bias_shape: vector #!\n"), "a", "bias_shape"),
    ("6b-gain-shape", g("", nps="neuron_pools:\n    a:\n        shape: [2]\n"
                          "        gain_shape: vector #!\n"), "a", "gain_shape"),
    ("6c-batchnorm-mean", g("", nps="neuron_pools:\n    a:\n        shape: [2]\n"
                              "        batchnorm_mean: x #!\n"), "a", "batchnorm_mean"),
    ("6d-batchnorm-std", g("", nps="neuron_pools:\n    a:\n        shape: [2]\n"
                             "        batchnorm_std: x #!\n"), "a", "batchnorm_std"),
    ("6e-layernorm-mean", g("", nps="neuron_pools:\n    a:\n        shape: [2]\n"
                              "        layernorm_mean: scalar #!\n"), "a", "layernorm_mean"),
    ("6f-layernorm-std", g("", nps="neuron_pools:\n    a:\n        shape: [2]\n"
                             "        layernorm_std: scalar #!\n"), "a", "layernorm_std"),
    ("7a-no-source", g("synapse_pools:\n    s: {target: b} #!\n"), "s", "no source"),
    ("7b-factor-shapes-not-list", g("""\
        synapse_pools:
            s:
                source: [[a], [a]]
                target: b
                factor_shapes: full #!
        """), "s", "factor_shapes"),
    ("7c-factor-shapes-length", g("""\
        synapse_pools:
            s:
                source: [[a], [a]]
                target: b
                factor_shapes: [full] #!
        """), "s", "one entry per factor"),
    ("7d-factor-shape-value", g("""\
        synapse_pools:
            s:
                source: [[a], [a]]
                target: b
                factor_shapes: [full, round] #!
        """), "s", "invalid factor_shapes"),
    ("7e-bias-shapes-not-list", g("""\
        synapse_pools:
            s:
                source: [[a], [a]]
                target: b
                bias_shapes: full #!
        """), "s", "bias_shapes"),
    ("7f-bias-shapes-length", g("""\
        synapse_pools:
            s:
                source: [[a], [a]]
                target: b
                bias_shapes: [full, full, full] #!
        """), "s", "one entry per factor"),
    ("7g-feature-factor-bias", g("""\
        synapse_pools:
            s:
                source: [[a]]
                target: v
                factor_shapes: [feature]
                bias_shapes: [full] #!
        """), "s", "feature factor allows only"),
    ("7h-spatial-factor-bias", g("""\
        synapse_pools:
            s:
                source: [[a]]
                target: b
                factor_shapes: [spatial]
                bias_shapes: [feature] #!
        """), "s", "spatial factor allows only"),
    ("7i-scalar-factor-bias", g("""\
        synapse_pools:
            s:
                source: [[a]]
                target: v
                factor_shapes: [scalar]
                bias_shapes: [feature] #!
        """), "s", "scalar factor allows only"),
    ("7j-no-target", g("synapse_pools:\n    s: {source: [[a]]} #!\n"), "s", "no target"),
    ("8a-target-not-np", g("""\
        synapse_pools:
            s:
                source: [[a]]
                target: None #!
        """), "s", "target neuron-pool 'None' not found"),
    ("8b-source-not-np", g("""\
        synapse_pools:
            s:
                source: [[a, nowhere]] #!
                target: b
        """), "s", "source neuron-pool 'nowhere' not found"),
    ("9-target-shapes-layout", g("""\
        synapse_pools:
            s:
                source: [[a, b]]
                target: b
                target_shapes: [[full]] #!
        """), "s", "target_shapes must be a list of lists shaped like source"),
    ("9-weight-shapes-layout", g("""\
        synapse_pools:
            s:
                source: [[a], [b]]
                target: b
                weight_shapes: [[full, full]] #!
        """), "s", "weight_shapes must be a list of lists"),
    ("9-dilation-layout", g("""\
        synapse_pools:
            s:
                source: [[a], [b]]
                target: b
                dilation: [[1], [1], [1]] #!
        """), "s", "dilation must be a list of lists"),
    ("9-weight-fnc-layout", g("""\
        synapse_pools:
            s:
                source: [[a], [b]]
                target: b
                weight_fnc: [exp, exp, exp] #!
        """), "s", "weight_fnc must be a list of lists"),
    ("9-ppp-layout", g("""\
        synapse_pools:
            s:
                source: [[a, b]]
                target: b
                ppp: [[4], [4]] #!
        """), "s", "ppp must be a list of lists"),
    ("9-rf-entry", g("""\
        synapse_pools:
            s:
                source: [[a]]
                target: b
                rf: [[-2]] #!
        """), "s", "rf entries must be integers >= 0"),
    ("10-act-length", g("""\
        synapse_pools:
            s:
                source: [[a], [b]]
                target: b
                act: [relu] #!
        """), "s", "act must have one entry per factor"),
    ("10-act-not-list", g("""\
        synapse_pools:
            s:
                source: [[a], [b]]
                target: b
                act: relu #!
        """), "s", "act must be a list"),
    ("11a-rf-into-nonspatial", g("""\
        synapse_pools:
            s:
                source: [[a]]
                target: v
                rf: 5 #!
        """), "s", "no rf allowed for a target without space"),
    ("11b-rf-not-int", g("""\
        synapse_pools:
            s:
                source: [[a, b]]
                target: b
                rf: three #!
        """), "s", "rf entries must be integers"),
    ("11c-nonspatial-source-rf", g("""\
        synapse_pools:
            s:
                source: [[v]]
                target: b
                rf: 3 #!
        """), "s", "has no space but rf is 3"),
    ("12-spatial-consistency", g("""\
        synapse_pools:
            s:
                source: [[a, c]] #!
                target: b
                rf: 3
        """, nps=NPS + "    c: {shape: [8, 7, 7]}\n"), "s", "inconsistent spatial dims"),
    ("13a-samples", g("""\
        plasticities:
            p:
                type: L_regularizer
                samples: 2 #!
                parameter: [[sp, a_b, W_0_0]]
        """, nps=NPS + SP_OK), "p", "samples must be larger than agents"),
    ("13b-no-type", g("""\
        plasticities:
            p: #!
                parameter: [[sp, a_b, W_0_0]]
        """, nps=NPS + SP_OK), "p", "no type"),
    ("13c-source-not-np", g("""\
        plasticities:
            p:
                type: loss
                loss_function: MSE
                source: nowhere #!
                source_t: 1
                target: b
                parameter: [[sp, a_b, W_0_0]]
        """, nps=NPS + SP_OK), "p", "source 'nowhere' is not a neuron-pool"),
    ("13d-target-not-np", g("""\
        plasticities:
            p:
                type: loss
                loss_function: MSE
                source: b
                source_t: 1
                target: nowhere #!
                parameter: [[sp, a_b, W_0_0]]
        """, nps=NPS + SP_OK), "p", "target 'nowhere' is not a neuron-pool"),
    ("13e-loss-shapes", g("""\
        plasticities:
            p:
                type: loss
                loss_function: MSE
                source: b
                source_t: 1
                target: a #!
                parameter: [[sp, a_b, W_0_0]]
        """, nps=NPS + SP_OK), "p", "same shape"),
    ("13f-no-parameter", g("""\
        plasticities:
            p: #!
                type: L_regularizer
        """, nps=NPS + SP_OK), "p", "no parameters defined"),
    ("13g-parameter-length", g("""\
        plasticities:
            p:
                type: L_regularizer
                parameter: [[sp, W_0_0]] #!
        """, nps=NPS + SP_OK), "p", "expected [item_type, item_name, par_name]"),
    ("13h-parameter-type", g("""\
        plasticities:
            p:
                type: L_regularizer
                parameter: [[xx, a_b, W_0_0]] #!
        """, nps=NPS + SP_OK), "p", "only np and sp parameters"),
    ("13h-parameter-type-plast", g("""\
        plasticities:
            p:
                type: L_regularizer
                parameter: [[plast, p, lr]] #!
        """, nps=NPS + SP_OK), "p", "only np and sp parameters"),
    ("13i-parameter-item", g("""\
        plasticities:
            p:
                type: L_regularizer
                parameter: [[sp, nowhere, W_0_0]] #!
        """, nps=NPS + SP_OK), "p", "unable to find synapse-pool 'nowhere'"),
    ("14a-interface-not-mapping", g("""\
        interfaces:
            i: [a, b] #!
        """), "i", "must be a mapping"),
    ("14b-interface-no-topics", g("""\
        interfaces:
            i: #!
                type: random
        """), "i", "expected in and/or out"),
    ("14c-interface-out-not-list", g("""\
        interfaces:
            i:
                type: random
                out: random #!
        """), "i", "out must be a list"),
    ("14d-interface-topic-not-np", g("""\
        interfaces:
            i:
                type: random
                out: [random] #!
        """), "i", "no neuron-pool 'random' for out topic 'random'"),
    # 9.2 and 9.3
    ("np-shape-missing", g("", nps="neuron_pools:\n    a: #!\n        act: relu\n"), "a",
     "missing shape"),
    ("np-shape-invalid", g("", nps="neuron_pools:\n    a: {shape: [2, 0, 4]} #!\n"), "a",
     "shape must be a list"),
    ("np-shape-too-long", g("", nps="neuron_pools:\n    a: {shape: [2, 2, 2, 2]} #!\n"), "a",
     "1 to 3 positive integers"),
    ("np-activation", g("", nps="neuron_pools:\n    a:\n        shape: [2]\n"
                          "        act: relux #!\n"), "a", "unknown activation 'relux'"),
    ("np-activation-expr", g("", nps="neuron_pools:\n    a:\n        shape: [2]\n"
                               "        act: B.relu($, slope=2) #!\n"), "a",
     "has no argument 'slope'"),
    ("np-dropout-range", g("", nps="neuron_pools:\n    a:\n        shape: [2]\n"
                             "        dropout: 1.0 #!\n"), "a", "dropout must be < 1"),
    ("np-noise-type", g("", nps="neuron_pools:\n    a:\n        shape: [2]\n"
                          "        noise: pink #!\n"), "a", "invalid noise"),
    ("np-unshare", g("", nps="neuron_pools:\n    a:\n        shape: [2]\n"
                       "        unshare: [W_0_0] #!\n"), "a", "can only unshare b or g"),
    ("np-init", g("", nps="neuron_pools:\n    a:\n        shape: [2]\n"
                    "        init b: bilin #!\n"), "a", "weight init"),
    ("period", g("", nps="neuron_pools:\n    a:\n        shape: [2]\n"
                   "        period: 0 #!\n"), "a", "period must be >= 1"),
    ("period-offset", g("", nps="neuron_pools:\n    a:\n        shape: [2]\n"
                          "        period: 2\n        period offset: 2 #!\n"), "a",
     "period offset must be < period"),
    ("bottleneck", g("", nps="neuron_pools:\n    a:\n        shape: [2]\n"
                       "        bottleneck: fast #!\n"), "a", "bottleneck must be a number"),
    ("at-start", g("", nps="neuron_pools:\n    a:\n        shape: [2]\n"
                     "        at start: 5 #!\n"), "a", "at start must be"),
    ("device-syntax", g("", nps="neuron_pools:\n    a:\n        shape: [2]\n"
                          "        device: gpu0 #!\n"), "a", "invalid device 'gpu0'"),
    ("backend-unknown", "name: t\nagents: 2\nbackend: caffe #!\n", "backend", "unknown backend"),
    ("sp-init", g("""\
        synapse_pools:
            s:
                source: [[a]]
                target: b
                init W_0_0: glorot #!
        """), "s", "unknown init 'glorot'"),
    ("sp-init-shape", g("""\
        synapse_pools:
            s:
                source: [[a]]
                target: b
                init W_0_0: loc_inh #!
        """), "s", "loc_inh needs as many target features"),
    ("sp-avgout", g("""\
        synapse_pools:
            s:
                source: [[a]]
                target: b
                avgout: 0 #!
        """), "s", "avgout must be >= 1"),
    ("sp-M", g("""\
        synapse_pools:
            s:
                source: [[a]]
                target: b
                M: [3] #!
        """), "s", "M must be [features, rf]"),
    ("sp-func-placeholder", g("""\
        synapse_pools:
            s:
                source: [[a], [b]]
                target: b
                func: $00 * $20 #!
        """), "s", "placeholder $20 is not allowed"),
    ("sp-unshare-name", g("""\
        synapse_pools:
            s:
                source: [[a]]
                target: b
                unshare: [W_3_3] #!
        """), "s", "cannot unshare 'W_3_3'"),
    ("share-source-missing", g("""\
        synapse_pools:
            s:
                source: [[a]]
                target: b
                share params: #!
                    W_0_0: [nowhere, W_0_0]
        """), "s", "share params source 'nowhere' is not a synapse-pool"),
    ("share-name-missing", g("""\
        synapse_pools:
            a_b: {source: [[a]], target: b, rf: 3}
            s:
                source: [[a]]
                target: b
                rf: 3
                share params: #!
                    W_0_0: [a_b, W_9_9]
        """), "s", "a_b has no parameter 'W_9_9'"),
    ("share-shape", g("""\
        synapse_pools:
            a_b: {source: [[a]], target: b, rf: 3}
            s:
                source: [[a]]
                target: b
                rf: 5
                share params: #!
                    W_0_0: [a_b, W_0_0]
        """), "s", "differs from"),
    ("share-chain", g("""\
        synapse_pools:
            a_b: {source: [[a]], target: b, rf: 3}
            c:
                source: [[a]]
                target: b
                rf: 3
                share params: {W_0_0: [a_b, W_0_0]}
            s:
                source: [[a]]
                target: b
                rf: 3
                share params: #!
                    W_0_0: [c, W_0_0]
        """), "s", "chains of sharing"),
    ("plast-type-unknown", g("""\
        plasticities:
            p:
                type: backprop #!
                parameter: [[sp, a_b, W_0_0]]
        """, nps=NPS + SP_OK), "p", "unknown plasticity type"),
    ("plast-loss-function", g("""\
        plasticities:
            p:
                type: loss
                loss_function: cosine #!
                source: b
                source_t: 1
                target: b
                parameter: [[sp, a_b, W_0_0]]
        """, nps=NPS + SP_OK), "p", "unknown loss_function"),
    ("plast-source-t-missing", g("""\
        plasticities:
            p: #!
                type: loss
                loss_function: MSE
                source: b
                target: b
                parameter: [[sp, a_b, W_0_0]]
        """, nps=NPS + SP_OK), "p", "missing source_t"),
    ("plast-source-t-zero", g("""\
        plasticities:
            p:
                type: loss
                loss_function: MSE
                source: b
                source_t: 0 #!
                target: b
                parameter: [[sp, a_b, W_0_0]]
        """, nps=NPS + SP_OK), "p", "source_t must be >= 1"),
    ("plast-target-t-negative", g("""\
        plasticities:
            p:
                type: loss
                loss_function: MSE
                source: b
                source_t: 1
                target: b
                target_t: -1 #!
                parameter: [[sp, a_b, W_0_0]]
        """, nps=NPS + SP_OK), "p", "target_t must be >= 0"),
    ("plast-optimizer", g("""\
        plasticities:
            p:
                type: L_regularizer
                optimizer: sgd #!
                parameter: [[sp, a_b, W_0_0]]
        """, nps=NPS + SP_OK), "p", "unknown optimizer"),
    ("plast-parameter-name", g("""\
        plasticities:
            p:
                type: L_regularizer
                parameter: [[sp, a_b, W_1_0]] #!
        """, nps=NPS + SP_OK), "p", "a_b has no parameter 'W_1_0'"),
    ("plast-lr-negative", g("""\
        plasticities:
            p:
                type: L_regularizer
                lr: -0.1 #!
                parameter: [[sp, a_b, W_0_0]]
        """, nps=NPS + SP_OK), "p", "lr must be >= 0"),
    ("hebbian-params", g("""\
        synapse_pools:
            v_w: {source: [[v]], target: w}
        plasticities:
            p:
                type: hebbian
                source: v
                target: w
                parameter: [[sp, v_w, W_0_0], [np, w, b]] #!
        """), "p", "exactly one synapse-pool weight"),
    ("hebbian-modus", g("""\
        synapse_pools:
            v_w: {source: [[v]], target: w}
        plasticities:
            p:
                type: hebbian
                modus: oja #!
                source: v
                target: w
                parameter: [[sp, v_w, W_0_0]]
        """), "p", "unknown modus"),
    ("module-variable", g("""\
        modules:
            m:
                neuron_pools:
                    x:
                        shape: _size #!
        m:
            one: {}
        """), "one_x", "module variable 'size' is not defined"),
    ("globals-name", g("""\
        globals:
            2bad: 3 #!
        """), "globals", "must be an identifier"),
    ("import-missing", g("""\
        import:
        - [no_such_graph, neuron_pools] #!
        """), "import", "cannot find graph 'no_such_graph'"),
    ("import-not-pair", g("""\
        import:
        - [only_one] #!
        """), "import", "pair [file, what]"),
    ("yaml-syntax", "name: t\nagents: [1, 2\nneuron_pools: {a: b}: c #!\n", "yaml",
     "started on line 2"),
    ("yaml-duplicate-key", "name: t\nagents: 2\nagents: 3 #!\n", "yaml", "invalid YAML"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_check(case, write_graph):
    _, text, item, fragment = case
    lines = text.splitlines()
    marked = [n + 1 for n, line in enumerate(lines) if "#!" in line]
    assert len(marked) == 1, "a case marks exactly one line"
    path = write_graph(text)
    with pytest.raises(SpecError) as info:
        load_graph(path)
    found = [p for p in info.value.problems if fragment in p.message]
    assert found, f"no error containing {fragment!r} in:\n{info.value}"
    problem = found[0]
    assert problem.pos.file == path
    assert problem.pos.line == marked[0], str(problem)
    assert problem.item == item
    assert str(problem).startswith(f"{path}:{marked[0]}: {item}: ")


def test_all_problems_of_a_file_at_once(write_graph):
    path = write_graph(g("""\
        synapse_pools:
            s1: {source: [[a]]}
            s2: {target: b}
            s3: {source: [[nowhere]], target: b}
        """, nps="neuron_pools:\n    a: {shape: [2]}\n    b: {shape: [2]}\n    c: {shape: [0]}\n"))
    with pytest.raises(SpecError) as info:
        load_graph(path)
    items = [p.item for p in info.value.problems]
    assert items.count("c") == 1 and "s1" in items and "s2" in items and "s3" in items


def test_missing_sections_default_to_empty(write_graph):
    graph = load_graph(write_graph("name: t\nagents: 2\n"))
    assert not graph.neuron_pools and not graph.synapse_pools and not graph.interfaces


def test_null_section_is_empty(write_graph):
    graph = load_graph(write_graph(g("plasticities:\ninterfaces:\n")))
    assert not graph.plasticities and len(graph.neuron_pools) == 4


WARNINGS = [
    ("unknown-interface-type", g("""\
        interfaces:
            i:
                type: telescope #!
                out: [a]
        """), "i", "not built in"),
    ("unknown-topic", g("""\
        interfaces:
            i:
                type: random
                distribution: normal
                out: [a] #!
        """), "i", "random has no out topic 'a'"),
    ("unknown-client", g("""\
        core_clients:
            c:
                type: mailer #!
        """), "c", "core-client type 'mailer' is not built in"),
    ("unknown-key", g("", nps="neuron_pools:\n    a:\n        shape: [2]\n"
                        "        tag: [x] #!\n"), "a", "did you mean 'tags'"),
    ("unused-parameter", g("""\
        synapse_pools:
            a_b: {source: [[a]], target: b, rf: 3}
            v_w: {source: [[v]], target: w}
        plasticities:
            p:
                type: loss
                loss_function: MSE
                source: b
                source_t: 1
                target: b
                parameter: [[sp, a_b, W_0_0], [sp, v_w, W_0_0]] #!
        """), "p", "gets no gradient"),
]


@pytest.mark.parametrize("case", WARNINGS, ids=[c[0] for c in WARNINGS])
def test_warning(case, write_graph):
    _, text, item, fragment = case
    marked = [n + 1 for n, line in enumerate(text.splitlines()) if "#!" in line][0]
    path = write_graph(text)
    graph = load_graph(path)
    found = [w for w in graph.warnings if fragment in w.message]
    assert found, [str(w) for w in graph.warnings]
    assert found[0].pos.line == marked and found[0].item == item
    assert found[0].severity == "warning"
