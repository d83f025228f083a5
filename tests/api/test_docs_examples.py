"""The examples of docs/python.md run as they are written."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

DOC = os.path.join(ROOT, "docs", "python.md")


def _examples() -> list:
    with open(DOC, encoding="utf-8") as handle:
        return re.findall(r"```python\n(.*?)```", handle.read(), re.S)


@pytest.mark.parametrize("index", range(len(_examples())))
def test_example_runs(index, tmp_path):
    script = tmp_path / f"example{index}.py"
    script.write_text(_examples()[index])
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300, env=dict(os.environ, PYTHONPATH=ROOT))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


def test_there_are_examples():
    assert len(_examples()) >= 3
