"""Page files read ahead of their parsing, by a thread of the writing process.

A build of pages that are not in the page cache waits on the disk for each file (opening it
finds its inode, reading it its blocks) while the parser process stands idle. The writer
hands each batch to a parser several batches ahead of its turn (`build.IN_FLIGHT`); when it
does, this thread opens the batch's files in order and asks the kernel to read them in
(`posix_fadvise` WILLNEED, which returns at once), so the parser finds them in memory.

The thread lives in the writer, which mostly waits for batches: in a parser process it
would take the interpreter from the parsing at every system call, which costs more than
it saves once the files are cached (`bench/readahead.py`).
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Sequence

_ADVISE = getattr(os, "posix_fadvise", None)
_WILLNEED = getattr(os, "POSIX_FADV_WILLNEED", 0)


def warm(path: str) -> None:
    """Bring one file's inode and blocks towards memory; a file that cannot be opened is
    left to the parser, which reports it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        if _ADVISE is not None:
            _ADVISE(fd, 0, 0, _WILLNEED)
        else:  # no fadvise here: read it
            while os.read(fd, 1 << 16):
                pass
    except OSError:
        pass
    finally:
        os.close(fd)


class ReadAhead:
    """One daemon thread warming the files it is given, in the order given."""

    def __init__(self) -> None:
        self._paths: queue.SimpleQueue[Sequence[str] | None] = queue.SimpleQueue()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name="atlas-read-ahead")
        self._thread.start()

    def add(self, paths: Sequence[str]) -> None:
        self._paths.put(paths)

    def _run(self) -> None:
        while (paths := self._paths.get()) is not None:
            for path in paths:
                if self._stopped.is_set():
                    return
                warm(path)

    def close(self) -> None:
        """Stop at the next file (the thread is not waited for: at worst it opens one
        more file)."""
        self._stopped.set()
        self._paths.put(None)
