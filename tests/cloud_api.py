"""A strict local stand-in for the WhatsApp Cloud API (HTTP on loopback, in a thread).

Every request is checked against the documented shape (path, bearer token, JSON body:
messaging_product, to, type, template name and language, body and URL-button
components); a request that breaks it is answered 400 and kept in ``violations``, so a
test can assert there were none. Answers are the documented ones: ``{"messages":
[{"id": "wamid..."}]}`` or ``{"error": {"code", "message", ...}}``, planned per number.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ERRORS = {
    130429: (429, "(#130429) Rate limit hit", "Cloud API message throughput has been reached."),
    131026: (400, "(#131026) Message Undeliverable", "Unable to deliver message."),
    131047: (400, "(#131047) Re-engagement message", "More than 24 hours have passed since the customer last replied."),
    132001: (404, "(#132001) Template name does not exist in the translation", "template name not found"),
    190: (401, "Error validating access token: Session has expired.", None),
    500: (500, "An unknown error occurred", None),
}
TOKEN = "EAAG-the-access-token-0123456789"  # noqa: S105 - test values
APP_SECRET = "the-app-secret-0123456789abcdef"  # noqa: S105
VERIFY = "the-verify-token-42"  # noqa: S105
PHONE_ID = "106540352242922"
SECRETS = (TOKEN, APP_SECRET, VERIFY)
_DIGITS = re.compile(r"^[1-9][0-9]{7,14}$")


class CloudApiStandIn:
    def __init__(self, token: str, phone_number_id: str, templates: dict[str, set[str]]):
        self.token, self.phone_number_id, self.templates = token, phone_number_id, templates
        self.accepted: list[dict] = []  # bodies answered with a message id
        self.violations: list[str] = []
        self.plan: dict[str, list[object]] = {}  # to -> [error code | "slow" | "ok", ...]
        self.slow_seconds = 2.0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server naming
                length = int(self.headers.get("Content-Length") or 0)
                status, body = stand_in.answer(self.path, dict(self.headers), self.rfile.read(length))
                raw = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/v21.0"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    # -- the API ---------------------------------------------------------------------------

    def _error(self, code: int, details: str | None = None):
        status, message, default_details = ERRORS[code]
        error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf123"}
        if details or default_details:
            error["error_data"] = {"messaging_product": "whatsapp", "details": details or default_details}
        return status, {"error": error}

    def _violation(self, why: str):
        with self._lock:
            self.violations.append(why)
        return 400, {"error": {"message": f"(#100) Invalid parameter: {why}", "type": "OAuthException", "code": 100}}

    def answer(self, path: str, headers: dict, raw: bytes):
        if path != f"/v21.0/{self.phone_number_id}/messages":
            return self._violation(f"path {path}")
        if headers.get("Authorization") != f"Bearer {self.token}":
            return self._error(190)
        if not headers.get("Content-Type", "").startswith("application/json"):
            return self._violation("content type")
        try:
            body = json.loads(raw)
        except ValueError:
            return self._violation("body is not JSON")
        problem = self.check(body)
        if problem:
            return self._violation(problem)
        if body["type"] == "template":
            name, code = body["template"]["name"], body["template"]["language"]["code"]
            if code not in self.templates.get(name, set()):
                return self._error(132001)
        with self._lock:
            step = self.plan.get(body["to"], []).pop(0) if self.plan.get(body["to"]) else "ok"
        if step == "slow":  # a gateway that hangs and then gives up: nothing was sent
            time.sleep(self.slow_seconds)
            return self._error(500)
        if step != "ok":
            return self._error(step)
        wamid = f"wamid.HBgM{next(self._ids):08d}"
        with self._lock:
            self.accepted.append({**body, "_id": wamid})
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": body["to"], "wa_id": body["to"]}],
            "messages": [{"id": wamid, **({"message_status": "accepted"} if body["type"] == "template" else {})}],
        }

    @staticmethod
    def check(body) -> str | None:
        """The documented request shape, or what is wrong with it."""
        if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
            return "messaging_product must be whatsapp"
        if not isinstance(body.get("to"), str) or not _DIGITS.match(body["to"]):
            return "to must be the number's digits"
        if body.get("type") == "text":
            text = body.get("text")
            ok = isinstance(text, dict) and isinstance(text.get("body"), str) and 0 < len(text["body"]) <= 4096
            return None if ok else "text.body"
        if body.get("type") != "template":
            return "type must be template or text"
        template = body.get("template")
        if not isinstance(template, dict) or not isinstance(template.get("name"), str) or not template["name"]:
            return "template.name"
        language = template.get("language")
        if not isinstance(language, dict) or not re.match(r"^[a-z]{2}(_[A-Z]{2})?$", str(language.get("code"))):
            return "template.language.code"
        components = template.get("components")
        if not isinstance(components, list) or len(components) != 2:
            return "template.components: body and one button"
        body_part, button = components
        params = body_part.get("parameters") if isinstance(body_part, dict) else None
        if body_part.get("type") != "body" or not isinstance(params, list) or len(params) != 3:
            return "body component with three parameters"
        for p in params:
            text = p.get("text") if isinstance(p, dict) else None
            if p.get("type") != "text" or not isinstance(text, str) or not text.strip():
                return "body parameter must be non-empty text"
            if "\n" in text or "\t" in text or "    " in text:
                return "body parameter with new lines, tabs or 4 spaces"
        if not isinstance(button, dict) or (button.get("type"), button.get("sub_type"), button.get("index")) != (
            "button",
            "url",
            "0",
        ):
            return "button component: type button, sub_type url, index '0'"
        bparams = button.get("parameters")
        if not isinstance(bparams, list) or len(bparams) != 1 or bparams[0].get("type") != "text":
            return "button parameter"
        if not isinstance(bparams[0].get("text"), str) or not bparams[0]["text"] or "/" in bparams[0]["text"]:
            return "button parameter must be the URL suffix"
        return None

    def sent_to(self, to: str) -> list[dict]:
        return [b for b in self.accepted if b["to"] == to]


# Webhook bodies as Meta sends them: a delivery status and a customer's reply.
def envelope(value):
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_ID},
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def status(wamid, state, to="525512345678", error=None):
    entry = {"id": wamid, "status": state, "timestamp": "1764570000", "recipient_id": to}
    if error:
        entry["errors"] = [
            {"code": error, "title": "Message undeliverable", "error_data": {"details": "Unable to deliver."}}
        ]
    return envelope({"statuses": [entry]})


def reply(wamid, text, sender="5215512345678"):
    return envelope(
        {
            "contacts": [{"profile": {"name": "Ana"}, "wa_id": sender}],
            "messages": [
                {"from": sender, "id": wamid, "timestamp": "1764570100", "type": "text", "text": {"body": text}}
            ],
        }
    )
