"""Structured JSON logs with the request id; token-bearing paths are masked."""

from __future__ import annotations

import json
import logging
import re
import sys

from flask import g, has_request_context, request

_TOKEN_PATH = re.compile(r"^/(s|u|f)/[^/?]+")


def mask_path(path: str) -> str:
    """/s/<token> -> /s/***: customer tokens are credentials and never logged."""
    return _TOKEN_PATH.sub(lambda m: f"/{m.group(1)}/***", path)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if has_request_context():
            entry["request_id"] = g.get("request_id")
            entry["path"] = mask_path(request.path)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(app) -> None:
    if app.config.get("TESTING"):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("surveys")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    app.logger.handlers[:] = [handler]
