"""Built-in core-client types (pure data, read by graph validation)."""

CORE_CLIENT_TYPES = ("lr_scheduler", "trainvaltest", "save_images")
