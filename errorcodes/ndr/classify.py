"""Classification: status choice and inference, permanent/hard bounce, provider, non-bounces."""

from __future__ import annotations

import json
import re
from functools import cache, cached_property

from . import notices
from .lazyre import lazy
from .phrases import PhraseTable
from .result import Evidence, Recipient
from .source import Source
from .statuscodes import (
    Wording,
    data_path,
    find_antispam_rule,
    find_blocklist,
    find_component,
    find_exception,
    find_listed_ip,
    find_reply,
    find_status_match,
    find_wording,
    reason_of_status,
    reply_statuses,
    underlying_error,
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
# Reasons under which a rejection's bracketed IP and named list are what to delist.
BLOCKLIST_REASONS = frozenset({"spam", "policy", "security"})
# Statuses about the sender's own address ("5.1.7 bad sender mailbox", "5.1.8 bad sender's
# system address"): the recipient is not at fault.
SENDER_STATUSES = frozenset({"5.1.7", "5.1.8", "4.1.7", "4.1.8"})
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
AUTOREPLY_SUBJECT_RE = lazy(
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
    with open(data_path("providers.json"), encoding="utf-8") as handle:
        rows = json.load(handle)["providers"]
    return tuple((r["provider"], r["where"], tuple(r["needles"])) for r in rows)


@cache
def provider_names() -> dict[str, str]:
    """Return each provider's name as a page shows it ("exim" is "Exim")."""
    with open(data_path("providers.json"), encoding="utf-8") as handle:
        return json.load(handle)["names"]


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
        # Pasted without headers: an out-of-office or challenge text that
        # reports no failure is known by its words.
        return not src.is_message and src.notice.is_autoreply
    sender = src.header("from").lower()
    bouncy = any(w in subject for w in BOUNCE_SUBJECT_WORDS) or "mailer-daemon" in sender
    return not bouncy


def is_temporary(text: str) -> bool:
    """Return True when the wording says the failure is temporary."""
    low = text.lower()
    return any(w in low for w in TEMPORARY_WORDS)


def pick_status(dsn_status: str | None, diagnostics: list[str]) -> tuple[str, Evidence] | None:
    """Choose the most specific enhanced code among the DSN field and the server text."""
    own = next((found for text in diagnostics if text and (found := find_status_match(text))), None)
    if dsn_status:
        # The server's own words (the DSN's Diagnostic-Code, diagnostics[0]) are more
        # precise than the reporting MTA's summary, as long as they agree on
        # temporary versus permanent and say more than "X.0.0".
        first = find_status_match(diagnostics[0]) if diagnostics and diagnostics[0] else None
        if first and first[0][0] == dsn_status[0] and first[0][1:] != ".0.0":
            return first[0], Evidence(first[1], "server reply")
        return dsn_status, Evidence(dsn_status, "status field")
    if own:
        return own[0], Evidence(own[1], "server reply")
    return None


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


class ReportFacts:
    """What the whole report says, read only when a recipient needs it."""

    def __init__(self, src: Source, context: str = "", final: bool = False) -> None:
        self._src = src
        # The bounce text around a single recipient, read for the SMTP command the
        # rejection answered when the diagnostic does not say.
        self.context = context
        # The whole message is in hand, a failure report with no delivery-status
        # part (or a DSN that says failed without a Status): no transient status
        # was given anywhere.
        self.final = final

    @cached_property
    def delay_notice(self) -> str | None:
        """The phrase that makes the report a warning that delivery is late, or None."""
        return self._src.notice.delay_warning

    @cached_property
    def failure_report(self) -> bool:
        """True when the report says delivery failed (a class 4 status in it is the
        last attempt's, not a message still on its way)."""
        return self.delay_notice is None and self._src.notice.has("bounce")

    @cached_property
    def convention(self) -> str:
        """How the reporting MTA records a reply without an enhanced code: "sendmail",
        or "" for the X.0.0 most MTAs write."""
        return "sendmail" if self._src.notice.has("sendmail") else ""


def finish(rcpt: Recipient, evidence: str, dsn_status: str | None, facts: ReportFacts) -> None:
    """Fill status, reply code, Microsoft details and the flags of one recipient.

    ``evidence`` is more of the server's words about this recipient (the
    report's human text when the diagnostic came from a DSN field); ``facts``
    what the whole report says.
    """
    texts = [t for t in (rcpt.diagnostic, evidence) if t]
    if rcpt.reply_code is None:
        for text in texts:
            rcpt.reply_code = find_reply(text)
            if rcpt.reply_code:
                break
    joined = " ".join(texts)[:20000]
    rcpt.exception = rcpt.exception or find_exception(joined)
    rcpt.component = rcpt.component or find_component(joined, rcpt.exception)
    rcpt.antispam_rule = rcpt.antispam_rule or find_antispam_rule(joined)
    picked = None
    if rcpt.status:  # an extractor read it from a field of its own
        rcpt.evidence["status"] = Evidence(rcpt.status, "status field")
    elif picked := pick_status(dsn_status, [rcpt.diagnostic or "", evidence]):
        rcpt.status, rcpt.evidence["status"] = picked
        if picked[1].basis == "server reply":
            rcpt.underlying_error = underlying_error(joined, picked[1].text)
    wording = find_wording(rcpt.diagnostic or evidence or "")
    if wording is None and rcpt.diagnostic and evidence:
        wording = find_wording(evidence)
    if rcpt.status is None:
        final = facts.final and not facts.delay_notice
        _infer_status(rcpt, wording, joined, final, facts.convention)
    if (
        wording
        and wording.reason.reason in TRANSIENT_REASONS
        and rcpt.status[0] == "5"
        and not rcpt.status_inferred
        and wording.phrase not in (rcpt.diagnostic or "").lower()
    ):
        # The surrounding transcript may quote an earlier host ("<<< 450 busy -
        # please try later"); the server's permanent status says more.
        wording = None
    if rcpt.action is None and (delay_notice := facts.delay_notice):
        # A warning that delivery is late: nothing has failed yet, whatever an
        # earlier attempt's reply quoted in it says.
        rcpt.action = "delayed"
        if rcpt.status[0] == "5":
            rcpt.status = "4" + rcpt.status[1:]
        rcpt.evidence["action"] = Evidence(delay_notice, "delay notice")
    cls = rcpt.status[0]
    rcpt.permanent = cls == "5"
    if rcpt.action is None:
        failed = cls == "5" or (cls == "4" and facts.failure_report)
        rcpt.action = "delivered" if cls == "2" else "failed" if failed else "delayed"
    rcpt.hard_bounce, rcpt.evidence["hard_bounce"] = _hard_verdict(
        rcpt, wording, joined, facts.context
    )
    rcpt.reason = _reason(rcpt.status, wording)
    if rcpt.reason in BLOCKLIST_REASONS or rcpt.antispam_rule:
        named = find_blocklist(joined)
        rcpt.blocklist = named[0] if named else None
        rcpt.listed_ip = find_listed_ip(joined)


def _reason(status: str, wording: Wording | None) -> str | None:
    """Return what the failure is about: the words' meaning, else the status code's.

    Catch-all words ("rejected", "denied") give way to a status that says more.
    """
    by_status = reason_of_status(status)
    if wording is None or (
        wording.reason.reason in WEAK_REASONS and by_status not in (None, "undefined")
    ):
        return by_status
    return wording.reason.reason


def _infer_status(
    rcpt: Recipient, wording: Wording | None, joined: str, final: bool, convention: str
) -> None:
    """Give a recipient without an enhanced code the status its reply or words stand for.

    A server's reply without an enhanced code is recorded as the reporting MTA
    records it: X.0.0 by most (Postfix, Exim), sendmail's own table for sendmail,
    the code an RFC pairs with it either way (535 is 5.7.8).  The reason field
    still says what the words mean.  With no reply at all, the words are the
    reporting MTA's own ("Connection timed out", "user unknown") and give the
    code they clearly mean (4.4.1, 5.1.1).  Transient wording keeps class 4, as
    the MTAs that send delivery-status parts report it (Postfix, sendmail: 4.4.1,
    4.4.7 with Action: failed), unless the sender's system says it gave up or the
    whole report, with no such part, is in hand.
    """
    reply = rcpt.reply_code if rcpt.reply_code and rcpt.reply_code[0] in "45" else None
    if reply:
        conventional = reply_statuses(convention) if convention else {}
        base = reply_statuses().get(reply) or conventional.get(reply) or f"{reply[0]}.0.0"
        rcpt.evidence["status"] = Evidence(reply, "reply code")
    elif wording is not None:
        said = _before_mailer_output(rcpt, wording)
        base = said.reason.status
        rcpt.evidence["status"] = Evidence(_words(rcpt, said, joined), "wording")
    else:
        temporary = next((w for w in TEMPORARY_WORDS if w in joined.lower()), None)
        base = "4.0.0" if temporary and not reply else "5.0.0"
        rcpt.evidence["status"] = (
            Evidence(reply, "reply code")
            if reply
            else Evidence(temporary, "wording")
            if temporary
            else Evidence("", "no evidence")
        )
    if reply:
        cls = reply[0]
    elif base[0] == "4" and (
        final or notices.has_phrase("gave_up", " ".join(joined.lower().split()))
    ):
        # "Connection timed out ... I'm not going to try again": over, not pending.
        cls = "5"
    elif rcpt.action == "delayed" or (
        wording is not None and is_temporary(joined) and base[0] == "5"
    ):
        cls = "4"
    else:
        cls = base[0]
    rcpt.status = f"{cls}{base[1:]}"
    rcpt.status_inferred = True


def _before_mailer_output(rcpt: Recipient, wording: Wording) -> Wording:
    """Return the words that say what a failed delivery program meant.

    Postfix reports a local program's failure as the meaning of its exit status,
    then its output: "user unknown. Command output: procmail: ...", "temporary
    failure. Command output: Quota exceeded" (5.1.1, 4.3.0).
    """
    text = rcpt.diagnostic or ""
    if wording.reason.reason != "mailer_error" or wording.start <= 0:
        return wording
    meant = find_wording(text[: wording.start])
    return meant if meant is not None and meant.reason.reason != "mailer_error" else wording


def _words(rcpt: Recipient, wording: Wording, joined: str) -> str:
    """Return the matched phrase as written in the recipient's text."""
    for text in (rcpt.diagnostic or "", joined):
        piece = text[wording.start : wording.start + len(wording.phrase)]
        if piece.lower() == wording.phrase:
            return piece
    return wording.phrase


def _hard_verdict(
    rcpt: Recipient, wording: Wording | None, joined: str, context: str
) -> tuple[bool, Evidence]:
    """Decide whether the address itself is bad, and on what evidence.

    The wording wins over the status code when they disagree: "550 5.7.1
    Nonexistent user" is hard, "550 5.1.1 ... blocked as spam" is not.
    """
    status = rcpt.status or ""
    status_evidence = rcpt.evidence.get("status") or Evidence(status, "status field")
    low = joined.lower()
    sender = next((w for w in SENDER_WORDS if w in low), None)
    if sender or status in SENDER_STATUSES:
        return False, Evidence(sender, "sender wording") if sender else status_evidence
    reason = wording.reason if wording else None
    said = Evidence(_words(rcpt, wording, joined), "wording") if wording else None
    if not rcpt.permanent:
        # A temporary "4.1.1 user unknown" still says the address is bad.
        hard = status == "4.1.1" and reason is not None and reason.reason == "user_unknown"
        return hard, said if hard and said else status_evidence
    command = smtp_command(joined) or (smtp_command(context) if context else None)
    if (
        command == "DATA"
        and any(w in low for w in FILTER_USER_WORDS)
        and (rcpt.status_inferred or status not in HARD_STATUSES)
    ):
        # "550 Unknown user" after the message was sent: the recipient's filter speaking
        # (Japanese carriers answer so for a blocked sender); the address was accepted.
        return False, Evidence("DATA", "smtp command")
    if command in ("MAIL", "HELO"):
        # Rejected before any recipient was named: not about the recipient.
        return False, Evidence(command, "smtp command")
    if reason is not None and said is not None:
        if reason.hard and reason.outranks_status:
            return True, said
        subject = status.split(".")[1] if status.count(".") == 2 else "0"
        if subject == "7" or status[1:] == ".2.0":
            # Security/policy, and "other mailbox status": the address may be fine.
            return False, status_evidence
        if reason.reason in WEAK_REASONS and status in HARD_STATUSES:
            # "550 5.1.0 Address rejected.": a bare "rejected" does not outweigh the status.
            return True, status_evidence
        if reason.hard or reason.reason in SOFT_REASONS:
            return reason.hard, said
    subject = status.split(".")[1] if status.count(".") == 2 else "0"
    if subject == "7" or status[1:] == ".2.0":
        return False, status_evidence
    return status in HARD_STATUSES, status_evidence


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
