"""Logging for the server and worker processes: text or JSON lines (POLYTASK_LOG_FORMAT), one
configuration for the parent and for every `--workers` child uvicorn starts."""

from __future__ import annotations

import json
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

# Keys of a LogRecord that are not the caller's `extra=` fields.
# uvicorn's `color_message` repeats the message with terminal colours.
_RECORD_KEYS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",
}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class JsonLines(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, the record's
    `extra=` fields, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_KEYS and not key.startswith("_") and key not in line:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, separators=(",", ":"))


def logging_config(level: str, fmt: str) -> dict[str, Any]:
    """A dictConfig for the root logger and uvicorn's (uvicorn applies it in each worker)."""
    formatter: dict[str, Any] = {"()": JsonLines} if fmt == "json" else {"format": TEXT_FORMAT}
    handler = {"class": "logging.StreamHandler", "formatter": "polytask", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"polytask": formatter},
        "handlers": {"polytask": handler},
        "root": {"level": level.upper(), "handlers": ["polytask"]},
        "loggers": {
            # Through the root's handler; uvicorn's own access log stays off (it logs raw
            # paths, query strings included): api/middleware.py writes the access log.
            "uvicorn": {"level": level.upper(), "handlers": [], "propagate": True},
            "uvicorn.error": {"level": level.upper(), "handlers": [], "propagate": True},
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }


def configure_logging(level: str, fmt: str) -> dict[str, Any]:
    """Apply the configuration in this process; returns it for uvicorn's `log_config`."""
    config = logging_config(level, fmt)
    logging.config.dictConfig(config)
    return config
