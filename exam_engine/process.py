"""This server process's identity, for leases, heartbeats and presence rows."""
from __future__ import annotations

import os
import secrets
import socket

_holder: tuple[int, str] | None = None


def holder() -> str:
    """A name unique to this process (recomputed after a fork)."""
    global _holder
    if _holder is None or _holder[0] != os.getpid():
        _holder = (os.getpid(), f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}")
    return _holder[1]
