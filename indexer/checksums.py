"""Checksums of a version's parts: computed once when a version is finished, stored in its
meta.json, and compared whenever the version is opened, checked or rolled back to.

xxHash's XXH3 (128 bits): damage to detect is flipped bytes or a truncated file, not an
adversary, and it hashes at memory speed, so opening a version costs a read of its files.
"""

from __future__ import annotations

import os
from pathlib import Path

import xxhash

ALGORITHM = "xxh3_128"
CHUNK = 1 << 20  # read in 1 MiB chunks: the memory of a check does not grow with a part
# Not parts: the meta carries the sums; the marker goes once the version is published.
SKIP = frozenset({"meta.json", ".meta.json.tmp", ".unpublished"})


def file_digest(path: Path) -> str:
    """The XXH3-128 digest of one file, read in chunks."""
    digest = xxhash.xxh3_128()
    with open(path, "rb", buffering=0) as fh:
        buffer = bytearray(CHUNK)
        view = memoryview(buffer)
        while size := fh.readinto(buffer):
            digest.update(view[:size])
    return digest.hexdigest()


def parts_of(root: Path) -> list[str]:
    """Every file of a version folder, as paths relative to it, sorted."""
    found = []
    for folder, _, files in os.walk(root):
        for name in files:
            rel = os.path.relpath(os.path.join(folder, name), root)
            if rel not in SKIP:
                found.append(rel.replace(os.sep, "/"))
    return sorted(found)


def compute(root: Path) -> dict[str, list]:
    """Each part's [size, digest], by relative path."""
    return {rel: [(root / rel).stat().st_size, file_digest(root / rel)]
            for rel in parts_of(root)}


def damaged(root: Path, expected: dict[str, list]) -> list[str]:
    """The parts that are missing, of another size or whose digest differs, each with the
    reason (`records.sqlite (checksum mismatch)`); empty when every part is intact. Sizes
    are compared first, so a truncated file costs no read."""
    problems = []
    for rel, (size, digest) in sorted(expected.items()):
        path = root / rel
        try:
            found = path.stat().st_size
        except OSError:
            problems.append(f"{rel} (missing)")
            continue
        if found != size:
            problems.append(f"{rel} (size {found}, expected {size})")
            continue
        try:
            same = file_digest(path) == digest
        except OSError as exc:
            problems.append(f"{rel} (unreadable: {exc.strerror or exc})")
            continue
        if not same:
            problems.append(f"{rel} (checksum mismatch)")
    return problems
