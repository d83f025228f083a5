"""A small digits graph (learning, an interface with epochs) and client files beside it."""
from __future__ import annotations

import os
import textwrap

GRAPH = """
name: tiny_digits
agents: 8
neuron_pools:
    image: {shape: [1, 8, 8]}
    label: {shape: [10, 1, 1]}
    hidden: {shape: [16, 1, 1], act: relu}
    prediction: {shape: [10, 1, 1], act: softmax}
synapse_pools:
    image_hidden: {source: [[image]], target: hidden}
    hidden_prediction: {source: [[hidden]], target: prediction}
plasticities:
    classification:
        type: loss
        loss_function: negloglikelihood
        source: prediction
        source_t: 2
        target: label
        target_t: 0
        optimizer: adam
        lr: 0.001
        parameter:
        - [sp, image_hidden, W_0_0]
        - [sp, hidden_prediction, W_0_0]
interfaces:
    digits:
        type: digits
        in: [digits_pred]
        out: [digits_image, digits_label]
        remap: {digits_image: image, digits_label: label, digits_pred: prediction}
        min_duration: 6
        max_duration: 8
        fading: 0
"""


def write_setup(folder, clients: str, files: dict | None = None) -> str:
    """The graph with a ``core_clients:`` section and ``core_clients/<name>.py`` files."""
    os.makedirs(os.path.join(folder, "core_clients"), exist_ok=True)
    for name, text in (files or {}).items():
        with open(os.path.join(folder, "core_clients", f"{name}.py"), "w") as handle:
            handle.write(textwrap.dedent(text).lstrip("\n"))
    path = os.path.join(folder, "tiny.st_graph")
    with open(path, "w") as handle:
        handle.write(textwrap.dedent(GRAPH).lstrip("\n"))
        handle.write("core_clients:\n" + textwrap.indent(textwrap.dedent(clients).lstrip("\n"),
                                                         "    "))
    return path
