"""Classification: status choice and inference, permanent/hard bounce, provider, non-bounces."""

from __future__ import annotations

import json
import re
from functools import cache

from .phrases import PhraseTable
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
        "mailer_error",
        "rejected",
        "mailbox_full",
        "filtered",
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
# Reasons that describe a passing condition: read only from the text around a
# recipient, they do not outweigh the permanent status the server gave it.
TRANSIENT_REASONS = frozenset({"network", "system", "expired"})
# Statuses about the sender's own address ("5.1.7 bad sender mailbox", "5.1.8 bad sender's
# system address"): the recipient is not at fault.
SENDER_STATUSES = frozenset({"5.1.7", "5.1.8", "4.1.7", "4.1.8"})
# Reasons whose wording says the recipient's domain can never take mail: hard even when
# the server filed them under security ("550 5.7.27 Host does not accept mail").
ALWAYS_HARD_REASONS = frozenset({"null_mx"})
# The SMTP command a rejection answered: Postfix "(in reply to end of DATA command)",
# Exim "SMTP error from remote mail server after RCPT TO:<...>", Sendmail ">>> DATA"
# (indented in some transcripts: "    >>> RCPT TO:<...>"), and a labelled block
# ("-------SMTP command" on one line, "DATA" on the next; "SMTP command: RCPT").
# Matched against lower-cased text: far faster than re.IGNORECASE.
COMMAND_RE = re.compile(
    r"in reply to (?:the )?(rcpt to|mail from|end of data|data|helo|ehlo)\b"
    r"|after (rcpt to|mail from|end of data|data|helo|ehlo)\b"
    r"|>>> ?(rcpt to|mail from|data|helo|ehlo)\b"  # only at the start of a line
    r"|smtp command[ \t]{0,4}:?[ \t]{0,4}\n?[ \t]{0,4}(rcpt|mail from|data|helo|ehlo)\b"
)
# How far a ">>>" transcript line may be indented.
TRANSCRIPT_INDENT = 8
# The stock words a recipient-side filter answers with after DATA ("550 Unknown user",
# "550 <pat@example.org>... No such user" once the message was sent).
FILTER_USER_WORDS = (
    "user unknown",
    "unknown user",
    "no such user",
    "no such recipient",
    "unknown recipient",
    "recipient unknown",
    "user not found",
)
# Wording about the sender's address, not the recipient's ("Domain of sender address ...").
SENDER_WORDS = (
    "sender address",
    "domain of sender",
    "sender domain",
    "envelope sender",
    "sender rejected",
)
# Reasons read from catch-all words ("rejected", "denied", "try later"): an address status
# code (X.1.1, X.1.10...) says more.
WEAK_REASONS = frozenset({"policy"})
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


@cache
def provider_phrases() -> dict[str, PhraseTable]:
    """Return, per place to look, the needles of the provider table ranked by row."""
    table = provider_table()
    return {
        place: PhraseTable(needles if where == place else () for _, where, needles in table)
        for place in dict.fromkeys(where for _, where, _ in table)
    }


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
    if dsn_status:
        # The server's own words (the DSN's Diagnostic-Code, diagnostics[0]) are more
        # precise than the reporting MTA's summary, as long as they agree on
        # temporary versus permanent and say more than "X.0.0".
        own = find_status(diagnostics[0]) if diagnostics else None
        if own and own[0] == dsn_status[0] and own[1:] != ".0.0":
            return own
        return dsn_status
    return next((s for s in map(find_status, filter(None, diagnostics)) if s), None)


def smtp_command(text: str) -> str | None:
    """Return the SMTP command the last quoted rejection answered: RCPT, MAIL, DATA or HELO."""
    last = None
    low = text[:20000].lower()
    for match in COMMAND_RE.finditer(low):
        if match.group(3) and not _indent_only(low, match.start()):
            continue
        last = next(g for g in match.groups() if g)
    if last is None:
        return None
    word = last
    if word.endswith("data"):
        return "DATA"
    return {"rcpt": "RCPT", "mail": "MAIL"}.get(word[:4], "HELO")


def _indent_only(text: str, pos: int) -> bool:
    """Return True when only a short indent comes before ``pos`` on its line.

    (Tested here rather than with "^" in the pattern, which would make the
    engine try every position.)
    """
    line_start = text.rfind("\n", max(0, pos - TRANSCRIPT_INDENT - 1), pos) + 1
    before = text[line_start:pos]
    return (line_start > 0 or pos <= TRANSCRIPT_INDENT) and not before.strip(" \t")


def finish(
    rcpt: Recipient, evidence: str, dsn_status: str | None = None, context: str = ""
) -> None:
    """Fill status, reply code, Microsoft details and the flags of one recipient.

    ``context`` is the bounce text around this recipient, read for the SMTP command
    the rejection answered when the diagnostic does not say.
    """
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
        if reason and reason.reason in TRANSIENT_REASONS and (rcpt.status or "")[:1] == "5":
            # The surrounding transcript may quote an earlier host ("<<< 450 busy -
            # please try later"); the server's permanent status says more.
            reason = None
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
    command = smtp_command(joined) or (smtp_command(context) if context else None)
    low = joined.lower()
    if any(w in low for w in SENDER_WORDS) or rcpt.status in SENDER_STATUSES:
        rcpt.hard_bounce = False
        return
    name = reason.reason if reason else None
    if not rcpt.permanent:
        # A temporary "4.1.1 user unknown" still says the address is bad.
        rcpt.hard_bounce = rcpt.status == "4.1.1" and name == "user_unknown"
        return
    if (
        command == "DATA"
        and any(w in low for w in FILTER_USER_WORDS)
        and (rcpt.status_inferred or rcpt.status not in HARD_STATUSES)
    ):
        # "550 Unknown user" after the message was sent: the recipient's filter speaking
        # (Japanese carriers answer so for a blocked sender); the address was accepted.
        rcpt.hard_bounce = False
        return
    rcpt.hard_bounce = _is_hard(rcpt.status, name, reason.hard if reason else None, command)


def _is_hard(
    status: str, reason: str | None, reason_hard: bool | None, command: str | None
) -> bool:
    """Return True when the failure says the address itself is bad."""
    subject = status.split(".")[1] if "." in status else "0"
    if reason in ALWAYS_HARD_REASONS:
        return True
    if subject == "7" or status[1:] == ".2.0":
        # Security/policy, and "other mailbox status": the address may be fine.
        return False
    if command in ("MAIL", "HELO"):
        # Rejected before any recipient was named: not about the recipient.
        return False
    if reason in WEAK_REASONS and status in HARD_STATUSES:
        # "550 5.1.0 Address rejected.": a bare "rejected" does not outweigh the status.
        return True
    if reason_hard is not None and (reason_hard or reason in SOFT_REASONS):
        return reason_hard
    return status in HARD_STATUSES


def detect_provider(src: Source, mtas: list[str], layout: str | None) -> str | None:
    """Return the system that produced the bounce, from headers, text and MTA names."""
    places = {
        "headers": "\n".join(f"{k}: {v}" for k, v in src.headers.items()).lower()[:60000],
        "from": src.header("from").lower(),
        "text": src.lower_text[:60000],
        "mta": " ".join(m for m in mtas if m).lower(),
    }
    ranks = [
        rank
        for where, phrases in provider_phrases().items()
        if (rank := phrases.first(places.get(where, ""))) is not None
    ]
    if ranks:
        return provider_table()[min(ranks)][0]
    if layout in ("microsoft_current", "microsoft_classic"):
        return "exchange"
    return None
