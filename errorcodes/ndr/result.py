"""The one output shape of the decoder: plain dataclasses with ``to_dict()``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported with the analysis, only for inputs that have one
    from .headers.model import Analysis


def flat_dict(obj: Any) -> dict[str, Any]:
    """Return a dataclass of plain values as a dict, in field order.

    ``dataclasses.asdict`` deep-copies every value and was a tenth of the CLI's
    time; these records hold only strings, numbers and booleans, and their
    ``__init__`` sets every field, in order, and nothing else.
    """
    return dict(vars(obj))


@dataclass
class Evidence:
    """The words of the input a verdict rests on, and where they are."""

    # The words themselves, as the decoder read them.
    text: str
    # What they are: "status field", "server reply", "reply code", "wording",
    # "delay notice", "sender wording", "smtp command", "no evidence".
    basis: str
    # Character offsets of the words in the input (bytes read as UTF-8, each
    # undecodable byte one character); None when the words are not found there
    # verbatim (a base64 or quoted-printable body).
    start: int | None = None
    end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the evidence as a JSON-ready dict."""
        return flat_dict(self)


@dataclass
class Recipient:
    """One failed (or delayed) recipient, as far as the bounce tells."""

    address: str | None = None
    # RFC 3464 Action: failed, delayed, delivered, relayed, expanded.
    action: str | None = None
    # Enhanced status code "X.Y.Z" (RFC 3463), or None.
    status: str | None = None
    # Three-digit SMTP reply code (RFC 5321), or None.
    reply_code: str | None = None
    # The server's own words (Diagnostic-Code or the rejection line).
    diagnostic: str | None = None
    # The host that gave the reply, when named.
    remote_mta: str | None = None
    # Microsoft transport component: RESOLVER, STOREDRV, ROUTING, QUEUE, ...
    component: str | None = None
    # Microsoft exception identifier, e.g. "RESOLVER.ADR.RecipientNotFound".
    exception: str | None = None
    # Microsoft anti-spam rule, e.g. "AS(1450)" or "S3150".
    antispam_rule: str | None = None
    # A 5xx failure: retrying the same message will not help.
    permanent: bool = False
    # The address itself is bad (unknown user, mailbox or domain): drop it from lists.
    hard_bounce: bool = False
    # True when no enhanced code was in the text and ``status`` was inferred.
    status_inferred: bool = False
    # The error of the last delivery attempt, when the report wraps one in its own
    # code ("550 4.4.7 QUEUE.Expired ... 441 4.4.1 ...primary target IP address"): the
    # root cause.
    underlying_error: str | None = None
    # The sending IP address a reputation rejection names, and the third-party block
    # list it names: what the delisting steps use.
    listed_ip: str | None = None
    blocklist: str | None = None
    # Why, in one word: user_unknown, host_unknown, mailbox_full, spam, policy,
    # expired, network, authentication, ... (the words' meaning, else the status's).
    reason: str | None = None
    # The address as the sender wrote it, when the report names another final
    # one (DSN Original-Recipient, Postfix "expanded from", an alias).
    original_address: str | None = None
    # What the status and the hard-bounce verdict rest on: "status", "hard_bounce".
    evidence: dict[str, Evidence] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the recipient as a JSON-ready dict."""
        data = flat_dict(self)
        data["evidence"] = {name: ev.to_dict() for name, ev in self.evidence.items()}
        return data


@dataclass
class Hop:
    """One row of Microsoft's "Message Hops" table."""

    index: int | None = None
    time: str | None = None
    from_server: str | None = None
    to_server: str | None = None
    with_protocol: str | None = None
    delay_seconds: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the hop as a JSON-ready dict."""
        return flat_dict(self)


@dataclass
class OriginalMessage:
    """Headers of the message that bounced, when the NDR carries them."""

    from_: str | None = None
    to: str | None = None
    subject: str | None = None
    date: str | None = None
    message_id: str | None = None

    def is_empty(self) -> bool:
        """Return True when no header was found."""
        return not any(flat_dict(self).values())

    def to_dict(self) -> dict[str, Any]:
        """Return the headers as a dict with a plain ``from`` key."""
        data = flat_dict(self)
        data["from"] = data.pop("from_")
        return {"from": data.pop("from"), **data}


@dataclass
class DecodeResult:
    """Everything the decoder found in one input."""

    is_bounce: bool = False
    # microsoft365, outlook.com, exchange, postfix, exim, sendmail, gmail, ...
    provider: str | None = None
    # Which extractor produced the recipients (dsn, microsoft_current, ...).
    layout: str | None = None
    # The server that generated the report.
    reporting_mta: str | None = None
    original: OriginalMessage = field(default_factory=OriginalMessage)
    hops: list[Hop] = field(default_factory=list)
    recipients: list[Recipient] = field(default_factory=list)
    # Why it bounced, from the original message's headers (or a pasted message's
    # own): authentication, alignment, anti-spam stamps, route, verdicts. None
    # when the input carries no such headers (see headers/analysis.py).
    analysis: Analysis | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict."""
        return {
            "is_bounce": self.is_bounce,
            "provider": self.provider,
            "layout": self.layout,
            "reporting_mta": self.reporting_mta,
            "original": self.original.to_dict(),
            "hops": [h.to_dict() for h in self.hops],
            "recipients": [r.to_dict() for r in self.recipients],
            "analysis": self.analysis.to_dict() if self.analysis is not None else None,
        }
