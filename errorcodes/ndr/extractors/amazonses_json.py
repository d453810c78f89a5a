"""Amazon SES notifications in JSON (sent by e-mail through SNS):

{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":
[{"emailAddress":"user@example.com","action":"failed","status":"5.1.1",
"diagnosticCode":"smtp; 550 5.1.1 user unknown"}], "reportingMTA":"dsn; a1-2.smtp-out..."}}

"Delivery" notifications list delivered recipients; "Complaint" ones are feedback,
not failures, and give no recipients.
"""

from __future__ import annotations

import json

from ..dsn import strip_type
from ..result import Recipient
from ..source import Source, without_surrogates
from .base import Extraction, squeeze

MARKER = '"notificationType"'


def extract(src: Source) -> Extraction | None:
    """Return the recipients of an SES JSON notification, or None."""
    start = src.text.find(MARKER, 0, 200000)
    if start < 0:
        return None
    notice = _load(src.text, start)
    if not isinstance(notice, dict):
        return None
    kind = str(notice.get("notificationType", ""))
    if kind == "Bounce":
        body = _object(notice.get("bounce"))
        rows = [r for r in _array(body.get("bouncedRecipients")) if isinstance(r, dict)]
        temporary = str(body.get("bounceType", "")) == "Transient"
        recipients = [
            Recipient(
                address=_text(r.get("emailAddress", "")).lower() or None,
                action=_text(r.get("action") or ("delayed" if temporary else "failed")),
                status=None,
                diagnostic=squeeze(
                    strip_type(_text(r.get("diagnosticCode") or r.get("status") or ""))
                )
                or None,
            )
            for r in rows
        ]
        for rcpt, raw in zip(recipients, rows, strict=True):
            status = _text(raw.get("status") or "")
            if status and rcpt.diagnostic and status not in rcpt.diagnostic:
                rcpt.diagnostic = f"{status} {rcpt.diagnostic}"
            elif status and not rcpt.diagnostic:
                rcpt.diagnostic = status
        mta = strip_type(_text(body.get("reportingMTA") or "")) or None
        return Extraction(
            layout="amazonses_json", recipients=recipients, reporting_mta=mta, provider="amazonses"
        )
    if kind == "Delivery":
        body = _object(notice.get("delivery"))
        response = squeeze(_text(body.get("smtpResponse") or "")) or None
        recipients = [
            Recipient(address=_text(a).lower(), action="delivered", diagnostic=response)
            for a in _array(body.get("recipients"))
            if isinstance(a, str)
        ]
        return Extraction(layout="amazonses_json", recipients=recipients, provider="amazonses")
    # Complaints and anything else: a notification, but not a failure.
    return Extraction(layout="amazonses_json", recipients=[], provider="amazonses")


def _load(text: str, marker: int) -> object:
    """Decode the JSON object around ``marker``; SNS may wrap it in a "Message" string."""
    brace = text.rfind("{", max(0, marker - 2000), marker)
    if brace < 0:
        return None
    try:
        obj, _ = json.JSONDecoder(strict=False).raw_decode(text[brace : brace + 500000])
    except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested too deep
        return None
    if isinstance(obj, dict) and isinstance(obj.get("Message"), str):
        try:
            return json.loads(obj["Message"], strict=False)
        except (ValueError, RecursionError):
            return None
    return obj


# A notification is JSON from outside: any field may hold another type than documented.
def _text(value: object) -> str:
    """Return a JSON value as text; a "\\ud800" escape decodes to a lone surrogate."""
    return without_surrogates(str(value))


def _object(value: object) -> dict:
    """Return ``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def _array(value: object) -> list:
    """Return ``value`` when it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []
