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
from ..source import Source
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
        body = notice.get("bounce") or {}
        temporary = str(body.get("bounceType", "")) == "Transient"
        recipients = [
            Recipient(
                address=str(r.get("emailAddress", "")).lower() or None,
                action=str(r.get("action") or ("delayed" if temporary else "failed")),
                status=None,
                diagnostic=squeeze(
                    strip_type(str(r.get("diagnosticCode") or r.get("status") or ""))
                )
                or None,
            )
            for r in body.get("bouncedRecipients") or []
            if isinstance(r, dict)
        ]
        for rcpt, raw in zip(recipients, body.get("bouncedRecipients") or [], strict=False):
            status = str(raw.get("status") or "")
            if status and rcpt.diagnostic and status not in rcpt.diagnostic:
                rcpt.diagnostic = f"{status} {rcpt.diagnostic}"
            elif status and not rcpt.diagnostic:
                rcpt.diagnostic = status
        mta = strip_type(str(body.get("reportingMTA") or "")) or None
        return Extraction(
            layout="amazonses_json", recipients=recipients, reporting_mta=mta, provider="amazonses"
        )
    if kind == "Delivery":
        body = notice.get("delivery") or {}
        response = squeeze(str(body.get("smtpResponse") or "")) or None
        recipients = [
            Recipient(address=str(a).lower(), action="delivered", diagnostic=response)
            for a in body.get("recipients") or []
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
    except ValueError:
        return None
    if isinstance(obj, dict) and isinstance(obj.get("Message"), str):
        try:
            return json.loads(obj["Message"], strict=False)
        except ValueError:
            return None
    return obj
