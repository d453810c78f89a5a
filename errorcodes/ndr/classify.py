"""Classification: status choice and inference, permanent/hard bounce, provider, non-bounces."""

from __future__ import annotations

import json
import re
from functools import cache

from .result import Recipient
from .source import Source
from .statuscodes import (
    DATA_DIR,
    find_antispam_rule,
    find_component,
    find_exception,
    find_reply,
    find_status,
    infer_reason,
)

# Statuses that by themselves say the address is bad (when the wording does not contradict).
HARD_STATUSES = frozenset({"5.1.1", "5.1.2", "5.1.3", "5.1.6", "5.1.10", "5.1.0", "5.4.4", "5.4.1"})
# Reasons whose wording outranks the status for the hard-bounce decision.
SOFT_REASONS = frozenset(
    {
        "mailbox_full",
        "message_too_big",
        "disabled",
        "spam",
        "policy",
        "authentication",
        "expired",
        "network",
        "system",
    }
)
# Wording that says the failure is temporary and the sender's system will keep trying.
TEMPORARY_WORDS = (
    "temporary",
    "temporarily",
    "delayed",
    "will retry",
    "will be retried",
    "still trying",
    "will continue trying",
    "deferred",
    "try again later",
    "not yet been delivered",
    "warning: message",
)
# Auto-reply subjects: "Auto: ...", "Automatic reply: ...", "Out of Office: ...".
AUTOREPLY_SUBJECT_RE = re.compile(
    r"^(?:auto(?:matic)?[ -]?(?:reply|response|antwort)?\s{0,3}:|out of (?:the )?office|"
    r"abwesenheitsnotiz|r\u00e9ponse automatique|absence|vacation|on vacation|autoreply|"
    r"\u81ea\u52d5\u5fdc\u7b54|\u4e0d\u5728)",
    re.IGNORECASE,
)
# Subjects and senders of bounces, used to tell an auto-reply from a bounce.
BOUNCE_SUBJECT_WORDS = (
    "undeliver",
    "returned",
    "failure",
    "failed",
    "delivery status",
    "not delivered",
    "delayed",
    "non remis",
    "unzustellbar",
    "nicht zustellbar",
    "\u914d\u4fe1\u4e0d\u80fd",
    "error",
    "rejected",
    "could not be delivered",
)


@cache
def provider_table() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """Return the ordered provider-detection table."""
    with (DATA_DIR / "providers.json").open(encoding="utf-8") as handle:
        rows = json.load(handle)["providers"]
    return tuple((r["provider"], r["where"], tuple(r["needles"])) for r in rows)


def is_not_bounce(src: Source) -> bool:
    """Return True for feedback reports and auto-replies: they are not bounces."""
    if src.report_type == "feedback-report" or "message/feedback-report" in src.content_types:
        return True
    if src.dsn_blocks:
        return False
    subject = src.header("subject").lower()
    auto = src.header("auto-submitted").lower()
    autoreply = (
        auto.startswith("auto-replied")
        or src.header("x-autoreply")
        or src.header("x-autorespond")
        or src.header("precedence").lower() == "auto_reply"
        or AUTOREPLY_SUBJECT_RE.match(subject)
    )
    if not autoreply:
        return False
    sender = src.header("from").lower()
    bouncy = any(w in subject for w in BOUNCE_SUBJECT_WORDS) or "mailer-daemon" in sender
    return not bouncy


def is_temporary(text: str) -> bool:
    """Return True when the wording says the failure is temporary."""
    low = text.lower()
    return any(w in low for w in TEMPORARY_WORDS)


def pick_status(dsn_status: str | None, diagnostics: list[str]) -> str | None:
    """Choose the most specific enhanced code among the DSN field and the server text."""
    coded = [s for s in (find_status(d) for d in diagnostics if d) if s]
    if dsn_status:
        # The server's own words (the DSN's Diagnostic-Code, diagnostics[0]) are more
        # precise than the reporting MTA's summary, as long as they agree on
        # temporary versus permanent and say more than "X.0.0".
        own = find_status(diagnostics[0]) if diagnostics else None
        if own and own[0] == dsn_status[0] and own[1:] != ".0.0":
            return own
        return dsn_status
    return coded[0] if coded else None


def finish(rcpt: Recipient, evidence: str, dsn_status: str | None = None) -> None:
    """Fill status, reply code, Microsoft details and the flags of one recipient."""
    texts = [t for t in (rcpt.diagnostic, evidence) if t]
    # An extractor that read a status from a field of its own has the final word.
    rcpt.status = rcpt.status or pick_status(dsn_status, [rcpt.diagnostic or "", evidence])
    if rcpt.reply_code is None:
        for text in texts:
            rcpt.reply_code = find_reply(text)
            if rcpt.reply_code:
                break
    joined = " ".join(texts)[:20000]
    rcpt.exception = rcpt.exception or find_exception(joined)
    rcpt.component = rcpt.component or find_component(joined, rcpt.exception)
    rcpt.antispam_rule = rcpt.antispam_rule or find_antispam_rule(joined)
    reason = infer_reason(rcpt.diagnostic or evidence or "")
    if reason is None and rcpt.diagnostic and evidence:
        reason = infer_reason(evidence)
    temporary = rcpt.action == "delayed" or (
        rcpt.status is None and rcpt.reply_code is None and is_temporary(joined)
    )
    if rcpt.status is None:
        cls = "4" if temporary else "5"
        if rcpt.reply_code and rcpt.reply_code[0] in "45":
            cls = rcpt.reply_code[0]
        base = reason.status if reason else "5.0.0"
        rcpt.status = f"{cls}{base[1:]}"
        rcpt.status_inferred = True
    cls = rcpt.status[0]
    rcpt.permanent = cls == "5"
    if rcpt.action is None:
        rcpt.action = {"5": "failed", "4": "delayed", "2": "delivered"}.get(cls)
    rcpt.hard_bounce = rcpt.permanent and _is_hard(
        rcpt.status, reason.reason if reason else None, reason.hard if reason else None
    )


def _is_hard(status: str, reason: str | None, reason_hard: bool | None) -> bool:
    subject = status.split(".")[1] if "." in status else "0"
    if subject == "7":
        return False
    if reason_hard is not None and (reason_hard or reason in SOFT_REASONS):
        return reason_hard
    return status in HARD_STATUSES


def detect_provider(src: Source, mtas: list[str], layout: str | None) -> str | None:
    """Return the system that produced the bounce, from headers, text and MTA names."""
    headers = "\n".join(f"{k}: {v}" for k, v in src.headers.items()).lower()[:60000]
    sources = {
        "headers": headers,
        "from": src.header("from").lower(),
        "text": src.text[:60000].lower(),
        "mta": " ".join(m for m in mtas if m).lower(),
    }
    for provider, where, needles in provider_table():
        haystack = sources.get(where, "")
        if haystack and any(n in haystack for n in needles):
            return provider
    if layout in ("microsoft_current", "microsoft_classic"):
        return "exchange"
    return None
