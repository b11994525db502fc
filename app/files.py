"""Writing files so that a crash or a full disk never leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def atomic_write(path: Path, mode: str = "w", **open_args: Any) -> Iterator[IO[Any]]:
    """Write under a temporary name, flush to disk, then rename over ``path``.

    On any error the partial file is removed and ``path`` keeps its previous content.
    """
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, mode, **open_args) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
