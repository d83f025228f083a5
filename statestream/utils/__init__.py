"""Compatibility modules for core clients written for the original statestream."""
