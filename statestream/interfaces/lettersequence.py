"""lettersequence: sliding windows over the texts of a folder, one-hot ASCII."""
from __future__ import annotations

import os

import numpy as np

from statestream.interfaces.datasets import read_dataset
from statestream.interfaces.sampled import SampledInterface

CLASSES = 128
SHARES = (0.8, 0.1, 0.1)  # train, valid, test: consecutive pieces of every text


def load_texts(folder: str) -> list:
    """Every regular file of ``folder`` (sorted by name) as int64 ASCII codes (0..127)."""
    if not os.path.isdir(folder):
        raise ValueError(f"expected a folder of text files, {folder} is a file")
    texts = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if name.startswith(".") or not os.path.isfile(path):
            continue
        with open(path, "rb") as handle:
            raw = handle.read()
        if b"\0" in raw:
            raise ValueError(f"{name}: expected text, found binary data (NUL bytes)")
        codes = np.frombuffer(raw.decode("utf-8", "replace").encode("ascii", "replace"),
                              dtype=np.uint8).astype(np.int64)
        if codes.size < 10:
            raise ValueError(f"{name}: expected a text of at least 10 characters, found "
                             f"{codes.size}")
        texts.append(codes)
    if not texts:
        raise ValueError(f"expected text files in {folder}, found none")
    return texts


def split_positions(texts: list) -> list:
    """Per part: [(text number, start)] samples; each text is cut in consecutive pieces."""
    parts = [[], [], []]
    for n, codes in enumerate(texts):
        cuts = np.cumsum([0] + [int(round(s * codes.size)) for s in SHARES])
        cuts[-1] = codes.size
        for part in range(3):
            parts[part] += [(n, p) for p in range(cuts[part], cuts[part + 1])]
    return [np.array(p or parts[0], dtype=np.int64).reshape(-1, 2) for p in parts]


class LetterSequence(SampledInterface):
    """A sample is a start position; while shown the window advances one character per
    frame (wrapping around the text). ``ls_seq_0`` [128, L, 1] shows characters
    start+e .. start+e+L-1 at elapsed e, ``ls_seq_1`` the same shifted by ``offset``
    (default 1). The confusion matrix's true class is ls_seq_1's first character."""

    TYPE = "lettersequence"
    needs_data = True
    USES_SPLIT = True

    def __init__(self, item, graph, seed):
        super().__init__(item, graph, seed)
        for topic in ("ls_seq_0", "ls_seq_1"):
            self.check_features(topic, CLASSES)
        self.offset = self.spec_number("offset", 1, integer=True)
        self.texts = read_dataset(self, "source_path", load_texts, ("lettersequence", "texts"),
                                  parts=False)
        self.samples = split_positions(self.texts)
        self.setup(tuple(s.shape[0] for s in self.samples), CLASSES)

    def sample_label(self, part, index):
        return 0  # the class changes every frame; see truth()

    def present(self, agents, params):
        pass

    def window(self, shift: int, length: int) -> np.ndarray:
        """[agents, length] codes from each agent's position + elapsed + shift."""
        out = np.zeros((self.agents, length), dtype=np.int64)
        for a in range(self.agents):
            text, start = self.samples[self.part[a]][self.index[a]]
            codes = self.texts[text]
            first = start + self.clock.elapsed[a] + shift
            out[a] = codes[(first + np.arange(length)) % codes.size]
        return out

    def truth(self):
        return self.window(self.offset, 1)[:, 0], None

    def render(self, params, fade):
        out = {}
        for topic, shift in (("ls_seq_0", 0), ("ls_seq_1", self.offset)):
            shape = self.out_shapes.get(topic)
            if shape is None:
                continue
            codes = np.minimum(self.window(shift, shape[2]), CLASSES - 1)
            plane = np.zeros(shape, dtype=np.float32)
            agents, positions = np.indices(codes.shape)
            plane[agents, codes, positions, :] = 1.0
            out[topic] = plane
        return out
