"""The pipeline: source -> DSN fields and layout extractors -> merged, classified result."""

from __future__ import annotations

from functools import cache
from types import ModuleType

from . import classify, dsn, evidence, extractors, failures, memo, notices
from .extractors.base import address_list, first_host, squeeze
from .headers import pick as header_pick
from .lazyre import lazy
from .result import DecodeResult, OriginalMessage, Recipient
from .source import ORIGINAL_PART_RE, Source, decode_header_value, load, to_bytes
from .statuscodes import ENHANCED_RE, find_reply

# DSN Status values we accept: "5.1.1", also sloppy "5.1.1 (user unknown)".
FAILURE_ACTIONS = ("failed", "delayed")
# sendmail's transcript names the host it talked to: "... while talking to mx.example.org.:".
TALKING_TO_RE = lazy(r"while talking to ((?:[A-Za-z0-9-]{1,63}\.){1,10}[A-Za-z]{2,24})\.?:")
# Recipients read from one bounce; a crafted DSN can list tens of thousands.
MAX_RECIPIENTS = 5000

# A 4xx/5xx reply code or an enhanced status code anywhere: "550", "4.4.7"
# (the look-behind after the first digit lets the engine skip to digits).
ANY_CODE_RE = lazy(rb"[45](?<![0-9][45])(?:[0-9][0-9]|\.[0-9]{1,3}\.[0-9]{1,3})(?![0-9])")


def decode(data: bytes | str) -> DecodeResult:
    """Decode a bounce (raw message, pasted text, log line...). Never raises.

    An exception that reaches this function's catch is a bug: it is counted and
    logged (``failures.decode_failures()``) and re-raised under ``failures.strict()``.
    Nothing of the input stays in the process afterwards (memo.py).
    """
    try:
        return _decode_and_locate(data)
    finally:
        memo.forget()


def _decode_and_locate(data: bytes | str) -> DecodeResult:
    try:
        result, src = _decode(data)
    except Exception as exc:  # the promise to callers: any input gives a result
        failures.caught(exc, "decode()")
        return DecodeResult()
    if src is not None:
        result = _analyse(src, result)
    text = None  # the input as text, once a locator has decoded it
    try:
        text = evidence.locate(data, result.recipients)
    except Exception as exc:  # offsets help; the verdicts stand without them
        failures.caught(exc, "evidence locator")
    if result.analysis is not None:
        try:
            _header_analysis().locate(data if text is None else text, result.analysis)
        except Exception as exc:  # offsets help; the analysis stands without them
            failures.caught(exc, "header analysis locator")
    return result


def _analyse(src: Source, result: DecodeResult) -> DecodeResult:
    """Add what the original message's headers say (headers/analysis.py) to ``result``.

    The analysis is imported only for an input that has headers to analyse.
    """
    try:
        chosen = header_pick.block_for(src, result.is_bounce)
        if chosen is not None:
            result.analysis = _header_analysis().analyse(src, result, chosen)
    except Exception as exc:  # the bounce reads without it
        failures.caught(exc, "header analysis")
    return result


@cache
def _header_analysis() -> ModuleType:
    """``headers.analysis``, imported on first use (most inputs have nothing to analyse),
    then kept: an import statement costs microseconds on every call."""
    from .headers import analysis

    return analysis


def _decode(data: bytes | str, depth: int = 0) -> tuple[DecodeResult, Source | None]:
    """The result without its header analysis, and the source to analyse it from.

    The source is None when the result is a forwarded bounce's, analysed already:
    a forwarded bounce is analysed only once it is taken (see ``_inner_bounce``).
    """
    src = load(data)
    result = DecodeResult(original=_original(src))
    if classify.is_not_bounce(src):
        result.provider = classify.detect_provider(src, [], None)
        return result, src
    report = None
    if src.dsn_blocks:
        report = dsn.parse("\n\n".join(src.dsn_blocks))
    elif dsn.looks_like_dsn(src.text):
        report = dsn.parse(src.text)
    # A delivery-status part that gives every recipient a status and the server's
    # reply leaves the free-text readers nothing to add (and they cost the most).
    complete = bool(report and report.recipients) and all(
        group.get("status") and find_reply(group.get("diagnostic-code", ""))
        for group in report.recipients
    )
    found = extractors.run(src, layouts_only=complete)
    recipients: list[Recipient] = []
    evidence: list[str] = []
    dsn_statuses: list[str | None] = []
    layout = None
    if found and found.layout == "amazonses_json" and not found.recipients:
        # A complaint notification: feedback, not a failure.
        result.provider = found.provider
        result.layout = found.layout
        return result, src
    if report and report.recipients:
        layout = "dsn"
        seen: set[tuple[str | None, str | None]] = set()
        for group in report.recipients[:MAX_RECIPIENTS]:
            rcpt, status = _from_dsn(group)
            if (rcpt.address, status) in seen and rcpt.address:
                continue  # the same group pasted or sent twice
            seen.add((rcpt.address, status))
            recipients.append(rcpt)
            dsn_statuses.append(status)
            evidence.append("")
        if found:
            _enrich(recipients, evidence, found.recipients)
            if found.layout.startswith("microsoft"):
                layout = f"dsn+{found.layout}"
        if len(recipients) == 1 and recipients[0].remote_mta is None:
            # sendmail names the host in its transcript: "... while talking to mx.example.org.:".
            talking = TALKING_TO_RE.search(src.text, 0, 20000)
            recipients[0].remote_mta = talking.group(1).lower() if talking else None
    elif found:
        layout = found.layout
        recipients = found.recipients
        evidence = [""] * len(recipients)
        dsn_statuses = [None] * len(recipients)
    elif _bounce_by_headers(src):
        layout = "headers"
        recipients, evidence = _fallback_recipients(src)
        dsn_statuses = [None] * len(recipients)
    context = src.text if len(recipients) == 1 else ""
    # The whole report is in hand and gives no transient status: no DSN part, or
    # a DSN that says "failed" without a Status.
    without_dsn = src.is_message and layout not in (None, "dsn") and not layout.startswith("dsn+")
    facts = classify.ReportFacts(src, context, without_dsn)
    given_up = classify.ReportFacts(src, context, True)
    for rcpt, ev, status in zip(recipients, evidence, dsn_statuses, strict=False):
        failed_without_status = layout == "dsn" and rcpt.action == "failed" and not status
        classify.finish(rcpt, ev, status, given_up if failed_without_status else facts)
    if any(r.action in FAILURE_ACTIONS for r in recipients):
        # A report of failures lists what was delivered too (DSN "relayed", a log's
        # "=> delivered" line): only the failures are the bounce.
        recipients = [r for r in recipients if r.action in FAILURE_ACTIONS]
    result.recipients = recipients
    result.layout = layout
    per_message = report.message if report else {}
    result.reporting_mta = (found.reporting_mta if found else None) or _host(
        per_message.get("reporting-mta")
    )
    if found:
        result.hops = found.hops
    result.is_bounce = bool(recipients) and any(
        r.action in FAILURE_ACTIONS or (r.status or "")[:1] in "45" for r in recipients
    )
    if depth == 0 and not any(_has_code(r) for r in recipients):
        # A bounce with no code of its own may be the forward of another bounce
        # (a gateway's "Mail could not be delivered" with the first NDR attached,
        # a postmaster copy quoting the whole NDR): the attached one has the facts.
        inner = _forwarded_bounce(data, src, codeless=not recipients)
        if inner is not None:
            return inner, None
    mtas = [result.reporting_mta or ""] + [r.remote_mta or "" for r in recipients]
    result.provider = (found.provider if found else None) or classify.detect_provider(
        src, mtas, layout and layout.split("+")[-1]
    )
    return result, src


def _has_code(rcpt: Recipient) -> bool:
    """Return True when the server's text gave this recipient a status or reply code."""
    return bool(rcpt.reply_code) or (rcpt.status is not None and not rcpt.status_inferred)


def _forwarded_bounce(data: bytes | str, src: Source, codeless: bool) -> DecodeResult | None:
    """Decode the message attached to (or quoted below) a bounce, when it is a bounce.

    The attached message comes first; then the text below the marker of a quoted
    copy, which is where a postmaster's forward of a whole bounce puts it (or a
    help-desk ticket: a person's words, then "-----Original Message-----" and
    the bounce).  ``codeless`` allows a quoted bounce without any code when the
    outer text named no recipient at all.
    """
    raw = to_bytes(data)
    candidates: list[bytes | str] = []
    part = ORIGINAL_PART_RE.search(raw, 0, 400_000)
    if part is not None:
        body = raw.find(b"\n\n", part.end(), part.end() + 4000)
        if body >= 0:
            candidates.append(raw[body + 2 :])
    if src.after_marker:
        candidates.append(src.after_marker.lstrip("-=*_ \t\n"))
    for inner in candidates:
        if result := _inner_bounce(inner, codeless and isinstance(inner, str)):
            return result
    return None


def _inner_bounce(inner: bytes | str, codeless: bool = False) -> DecodeResult | None:
    """Return the decoded ``inner`` message when it is a bounce with a code of its own.

    With ``codeless``, a bounce whose words alone name its failed recipients will do.
    """
    sample = inner[:200_000]
    if isinstance(sample, str):
        if codeless and not notices.read(" ".join(sample.lower().split())).reads_as_bounce:
            return None  # a quoted message that is no bounce either
        sample = sample.encode("utf-8", "replace")
    if not (codeless or ANY_CODE_RE.search(sample)):
        return None  # no failure code in it: decoding it could not add one
    try:
        result, src = _decode(inner, depth=1)
    except Exception as exc:  # keep what the outer bounce said
        failures.caught(exc, "forwarded-bounce reader")
        return None
    if not result.is_bounce or result.layout == "headers":
        return None
    taken = any(_has_code(r) for r in result.recipients) or (
        codeless and all(r.address for r in result.recipients)
    )
    if not taken:
        return None
    return result if src is None else _analyse(src, result)


def _from_dsn(group: dict[str, str]) -> tuple[Recipient, str | None]:
    """Build a recipient from one per-recipient DSN group.

    The Final-Recipient is the address that failed; an Original-Recipient that
    differs is the one the sender wrote (an alias, a forward), kept beside it.
    """
    named = {
        key: dsn.address_of(group[key])
        for key in ("final-recipient", "x-actual-recipient", "original-recipient")
        if group.get(key)
    }
    address = next((a for a in named.values() if a), None)
    original = named.get("original-recipient")
    status_field = group.get("status", "")
    match = ENHANCED_RE.search(status_field)
    diagnostic = dsn.strip_type(group.get("diagnostic-code", "")) or None
    action = (group.get("action") or "").strip().lower().split()[0:1]
    # Not an RFC 3464 action, but some MTAs (SendGrid) write it for a message given up on.
    action = ["failed" if a == "expired" else a for a in action]
    rcpt = Recipient(
        address=address,
        original_address=original if original != address else None,
        action=action[0] if action else None,
        diagnostic=squeeze(diagnostic) if diagnostic else None,
        # Without a Remote-MTA field, the host the reply names: "host mx[192.0.2.1] said".
        remote_mta=_host(group.get("remote-mta"))
        or (first_host(diagnostic) if diagnostic else None),
    )
    return rcpt, ".".join(match.groups()) if match else None


def _enrich(recipients: list[Recipient], evidence: list[str], found: list[Recipient]) -> None:
    """Add what the human-readable text says to the DSN recipients."""
    by_address = {r.address: r for r in found if r.address}
    for i, rcpt in enumerate(recipients):
        other = by_address.get(rcpt.address)
        if other is None and len(found) == 1 and len(recipients) == 1:
            other = found[0]
        if other is None:
            continue
        evidence[i] = other.diagnostic or ""
        if not rcpt.diagnostic:
            rcpt.diagnostic = other.diagnostic
        rcpt.remote_mta = rcpt.remote_mta or other.remote_mta
        if other.original_address != rcpt.address:
            rcpt.original_address = rcpt.original_address or other.original_address


def _host(value: str | None) -> str | None:
    if not value:
        return None
    host = dsn.strip_type(value).split()
    return host[0].strip("[]").rstrip(".").lower() if host else None


def _original(src: Source) -> OriginalMessage:
    msg = src.original
    if msg is None:
        return OriginalMessage()

    def get(name: str) -> str | None:
        return decode_header_value(msg.get(name)) or None

    return OriginalMessage(
        from_=get("from"),
        to=get("to"),
        subject=get("subject"),
        date=get("date"),
        message_id=get("message-id"),
    )


def _bounce_by_headers(src: Source) -> bool:
    """Return True when the headers say "bounce" although no extractor read it."""
    if src.report_type == "delivery-status":
        return True
    sender = src.header("from").lower()
    subject = src.header("subject").lower()
    if src.header("x-failed-recipients"):
        return True
    if any(w in subject for w in classify.BOUNCE_SUBJECT_WORDS) and (
        "mailer-daemon" in sender or "postmaster" in sender
    ):
        return True
    # "Message could not be delivered to mobile. Error: No valid recipients": the
    # prose says bounce and the attached original names the recipient (not a
    # person's letter that merely quotes a message).
    if src.original is None or not src.notice.has("bounce"):
        return False
    return src.is_message or not notices.is_letter(src.text)


def _fallback_recipients(src: Source) -> tuple[list[Recipient], list[str]]:
    """Recipients from X-Failed-Recipients or the original's To, with the bounce text as evidence."""  # noqa: E501
    values = src.header("x-failed-recipients")
    if not values and src.original is not None:
        # Decoded: the raw value keeps 8-bit bytes as surrogates, which are not text.
        values = decode_header_value(src.original.get("to"))
    addresses = list(dict.fromkeys(a.lower() for a in address_list(values)))[:100]
    text = squeeze(src.text, 2000)
    recipients = [Recipient(address=a, diagnostic=text or None) for a in addresses]
    return recipients, [""] * len(recipients)
