"""Giving memory back to the system after a large, short-lived load."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc


def return_freed_memory() -> None:
    """Collect garbage, then ask glibc to give freed heap pages back to the system (a no-op
    elsewhere): after loading a model graph or a word list, the freed pages would otherwise
    stay in the process's RSS (12 MB of wordfreq's list waited for a full collection)."""
    gc.collect()
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
