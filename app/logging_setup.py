"""Logging, set up once by the composition root: a rotating file in the platform log folder,
the current user's only, with personal data redacted (app/redaction.py)."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from app.files import make_private
from app.paths import user_log_dir
from app.redaction import RedactingFormatter

LOG_FILE_NAME = "leadline.log"


def configure_logging(log_dir: Path | None = None, level: int = logging.INFO) -> Path | None:
    """Log to ``leadline.log`` (1 MB x 5 files). Returns the file, or None if it can't be written."""
    folder = log_dir or user_log_dir()
    root = logging.getLogger()
    root.setLevel(level)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            folder / LOG_FILE_NAME, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    except OSError:
        return None  # a read-only home folder must not stop the app from starting
    make_private(folder / LOG_FILE_NAME)  # a log an older Leadline created readable by all
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return folder / LOG_FILE_NAME
