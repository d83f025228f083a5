"""Sub-windows: one array of the session (a state, parameter or interface variable) drawn
in one of several modes; see :class:`SubWindow`."""
from statestream.viz.subwindows.base import MODES, RANGES, SubWindow, as_tiles

__all__ = ["MODES", "RANGES", "SubWindow", "as_tiles"]
