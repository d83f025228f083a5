"""Running a graph: the single-process reference simulator and the streaming runtime."""
