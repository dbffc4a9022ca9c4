"""Page files read ahead of their parsing, by a small process beside the build.

A build of pages that are not in the page cache waits on the disk for each file (opening it
finds its inode, reading it its blocks) while the parser process stands idle. The writer
hands each batch to a parser several batches ahead of its turn (`build.IN_FLIGHT`); when it
does, it also sends the batch's paths down a pipe to this process, which opens each file and
asks the kernel to read it in (`posix_fadvise` WILLNEED, which returns at once), so the
parser finds it in memory.

A process, not a thread: a thread of the writer would take the writer's interpreter lock
at every system call, which cost a build of cached pages more than the calls themselves
(`bench/readahead.py`). The writer never waits for it: a batch that does not fit in the
pipe at once is not read ahead.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
from collections.abc import Iterator, Sequence

# The process: one path per line on its standard input, until it closes.
_CHILD = r"""
import os, sys
advise = getattr(os, "posix_fadvise", None)
for line in sys.stdin.buffer:
    path = line[:-1]
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        continue  # left to the parser, which reports it
    try:
        if advise is not None:
            advise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        else:
            while os.read(fd, 1 << 16):
                pass
    except OSError:
        pass
    finally:
        os.close(fd)
"""

# Writes of at most this many bytes to a pipe are all or nothing.
ATOMIC = getattr(select, "PIPE_BUF", 512)


def pipe_chunks(paths: Sequence[str]) -> Iterator[bytes]:
    """The paths as lines, in pieces of at most ATOMIC bytes that never cut a line (a path
    holding a newline, or longer than a piece, is left out: its parser reads it as is)."""
    piece = bytearray()
    for path in paths:
        line = os.fsencode(path) + b"\n"
        if b"\n" in line[:-1] or len(line) > ATOMIC:
            continue
        if len(piece) + len(line) > ATOMIC:
            yield bytes(piece)
            piece.clear()
        piece += line
    if piece:
        yield bytes(piece)


class ReadAhead:
    """The read-ahead process of one build, started with the first pages it is given (a
    build of JSON Lines has none); where it cannot start, the build runs the same without."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen | None = None
        self._closed = False

    def _start(self) -> subprocess.Popen | None:
        try:
            proc = subprocess.Popen(
                [sys.executable, "-I", "-c", _CHILD], stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True)
        except OSError:
            self._closed = True
            return None
        assert proc.stdin is not None
        os.set_blocking(proc.stdin.fileno(), False)
        self._proc = proc
        return proc

    def add(self, paths: Sequence[str]) -> bool:
        """Send `paths` to be read ahead, in order; False when the pipe is full (the
        process is behind) or the process is gone: the rest of them are not read ahead."""
        if self._closed or not paths:
            return False
        proc = self._proc or self._start()
        if proc is None:
            return False
        pipe = proc.stdin.fileno()  # type: ignore[union-attr]
        for piece in pipe_chunks(paths):
            try:
                os.write(pipe, piece)
            except BlockingIOError:
                return False
            except OSError:  # the process is gone
                self.close()
                return False
        return True

    def close(self) -> None:
        """Stop the process now (what it has not read ahead is no longer needed)."""
        self._closed = True
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass
        proc.kill()
        proc.wait()
