"""User mistakes found at run time are one line naming file, line and item."""
from __future__ import annotations

import pytest

from statestream.cli import main


@pytest.mark.parametrize("command", [["simulate"], ["run", "--headless"]])
def test_an_expression_that_fails_on_shapes_names_item_and_expression(command, write_graph,
                                                                      capsys):
    path = write_graph("""
        name: s
        agents: 1
        neuron_pools:
            a: {shape: [2, 1, 1], act: "B.tensordot($, $, axes=(1, 2))"}
        """)
    assert main([*command, path, "--frames", "2", "--threads", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith(f"{path}:4: a: ")
    assert "B.tensordot($, $, axes=(1, 2))" in err
    assert "Traceback" not in err and "internal error" not in err
