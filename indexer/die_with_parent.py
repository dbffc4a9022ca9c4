"""Worker processes die with the process that forked them.

A parser pool's workers wait on a pipe their parent writes: if the parent is killed
(`kill -9` of `atlas parse` or `atlas build`), nothing closes it and they would sleep
forever. Importing this module makes every process forked afterwards ask the kernel
(Linux `prctl(PR_SET_PDEATHSIG, SIGKILL)`) to kill it when its parent dies, however it dies.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from multiprocessing.context import BaseContext

PR_SET_PDEATHSIG = 1
_parent = os.getpid()


def _before_fork() -> None:
    global _parent
    _parent = os.getpid()


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != _parent:  # the parent died before the request was made
        os._exit(1)


if hasattr(os, "register_at_fork") and sys.platform.startswith("linux"):
    os.register_at_fork(before=_before_fork, after_in_child=_die_with_parent)


def pool_context() -> BaseContext | None:
    """The start method for parser pools: fork where the workers are then our children
    (a forkserver or spawned worker is not, and would not die with us)."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return None
