"""Core clients: Python objects that steer a session (schedules, saving, ...)."""
