"""The interactive terminal of a session: a REPL (prompt_toolkit) or a command script on top
of the session API (``statestream.open`` / ``statestream.attach``)."""
