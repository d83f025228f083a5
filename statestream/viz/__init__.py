"""The live GUI: a pygame-ce window attached to a running session (``statestream viz``).

Everything reads through the session API (one consistent ``session.read`` per drawn
frame) and changes things only through the checked command language.
"""
from __future__ import annotations

import os

from statestream.errors import UserError

EXTRA_MESSAGE = 'viz needs the viz extra: pip install "statestream[viz]"'


def require_pygame():
    """The pygame module, or a UserError naming the extra to install."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    try:
        import pygame
    except ImportError:
        raise UserError(EXTRA_MESSAGE) from None
    return pygame
