"""Status-code knowledge: enhanced codes, reply codes, Microsoft identifiers, wording.

The knowledge itself lives in CSV/JSON files under ``data/``; this module loads
them once and offers small lookups and finders.  All patterns are linear: no
nested quantifiers, and callers cap the text they pass in.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from .headers.ip import ipv4_valid, ipv6_valid
from .lazyre import lazy
from .memo import per_input
from .phrases import PhraseTable

# The data files' folder, a plain path (pathlib would cost the command line 3 ms).
DATA_DIR = os.path.join(os.path.dirname(__file__), "data")


def data_path(name: str) -> str:
    """The path of the data file ``name`` (in DATA_DIR)."""
    return os.path.join(DATA_DIR, name)


def load_json(path: str) -> Any:
    """The JSON file at ``path``, parsed."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


# In the code patterns below, the look-behind comes after the first digit (and
# looks back past it): a pattern that starts with a look-behind is tried at every
# position, one that starts with a digit class lets the engine skip to the digits.

# Enhanced status code, e.g. "550 5.1.1 <x@example.com>", "#5.5.0", "5.7.606-649";
# not the inside of an IP address or version ("192.0.2.1", "v5.1.2.3").
ENHANCED_RE = re.compile(r"([245])(?<![\w.][245])\.([0-7])\.(\d{1,3})(?![\w]|\.\d)")
# Reply code followed by an enhanced code: "550 5.1.1", "550-5.7.1", "550 #5.1.0".
REPLY_ENHANCED_RE = re.compile(
    r"([245](?<![\w.-][245])[0-5]\d)[ -]['\"]?#?([245]\.[0-7]\.\d{1,3})(?![\w]|\.\d)"
)
# Reply code on its own: "said: 550 Unknown user", "<<< 554 Transaction failed".
# Zoho: "ERROR_CODE :421, ..." (a colon after a space, not a time "12:550" or a port).
# "[SMTP Error Code 550]": a reply named in brackets by a gateway.
REPLY_RE = re.compile(
    r"([245](?<![\w./-][245])(?<!\S:[245])[0-5]\d)"
    r"(?:[ -](?=\S)|[,:](?=\s)|$|(?<=[Cc]ode [245]\d\d)\])",
    re.MULTILINE,
)
# Microsoft exception identifier: "RESOLVER.ADR.RecipientNotFound",
# "STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded".
MS_EXCEPTION_RE = re.compile(
    r"\b((?:RESOLVER|STOREDRV|ROUTING|QUEUE|SMTPSEND|SMTPSUBMIT|CAT|TRANSPORT\.RULES|AMBIENT|ECS)"
    r"(?:\.[A-Za-z]\w{0,60}){1,4}(?::[A-Za-z][\w.]{0,120})?)"
)
# An IP address in brackets, as rejections name the sending host: "[198.51.100.23]",
# "[IPv6:2001:db8::1]".
BRACKETED_IP_RE = lazy(r"\[(?:IPv6:)?([0-9A-Fa-f.:]{3,45})\]")
# A Microsoft component naming the code before it: "550 4.4.7 QUEUE.Expired; ...".
MS_COMPONENT_AFTER_RE = re.compile(
    r"[ \t]{1,3}(?:RESOLVER|STOREDRV|ROUTING|QUEUE|SMTPSEND|SMTPSUBMIT|CAT)\."
)
# Microsoft anti-spam rule: "(AS3130)", "AS(1450)", "[S3150]" in Outlook.com rejections.
MS_ANTISPAM_RE = lazy(
    r"\bAS\(\d{3,10}\)|(?<=[(\[ ])AS\d{3,10}(?=[)\] ])|(?<=[(\[ ])S3\d{3}(?=[)\] .])"
)


# Detail numbers from here on are a provider's own (Microsoft's 5.7.350, 5.4.316),
# beyond the RFC 3463 registry's.
PROVIDER_DETAIL_FROM = 100
# Providers whose bounces use Microsoft's meanings of the codes.
MICROSOFT_PROVIDERS = frozenset({"microsoft365", "outlook.com", "exchange"})


@dataclass(frozen=True)
class CodeInfo:
    """Meaning of one code."""

    code: str
    title: str
    description: str


@dataclass(frozen=True)
class Reason:
    """A row of the wording table."""

    reason: str
    status: str
    hard: bool
    phrases: tuple[str, ...]
    # The words decide the hard bounce even against the status code.
    outranks_status: bool = False


@dataclass(frozen=True)
class Wording:
    """A wording-table row found in a text, with the phrase that matched and where."""

    reason: Reason
    phrase: str
    start: int


def _read_csv(name: str) -> list[dict[str, str]]:
    import csv  # the tables are read on first use: not every input needs one

    with open(data_path(name), encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


@cache
def enhanced_table() -> dict[str, CodeInfo]:
    """Return the IANA enhanced status registry keyed by "X.Y.Z" suffix ("1.1")."""
    return {
        row["code"][2:]: CodeInfo(row["code"], row["title"], row["description"])
        for row in _read_csv("enhanced_status.csv")
    }


@cache
def reply_table() -> dict[str, CodeInfo]:
    """Return the RFC 5321 (and extension) reply codes keyed by code."""
    return {
        row["code"]: CodeInfo(row["code"], row["title"], row["description"])
        for row in _read_csv("reply_codes.csv")
    }


@cache
def reply_statuses(convention: str = "") -> dict[str, str]:
    """Return the enhanced code a reply without one stands for.

    By default only the pairings an RFC defines (535 is 5.7.8); with
    ``convention="sendmail"``, what sendmail records for each reply.
    """
    column = f"{convention}_status" if convention else "status"
    return {row["code"]: row[column] for row in _read_csv("reply_codes.csv") if row[column]}


@cache
def status_reasons() -> dict[str, str]:
    """Return the reason each enhanced status suffix ("1.1") stands for."""
    return {
        row["code"][2:]: row["reason"] for row in _read_csv("enhanced_status.csv") if row["reason"]
    }


@cache
def reason_table() -> dict[str, tuple[str, str]]:
    """Return each reason's standing status code and its meaning in plain words."""
    return {row["reason"]: (row["status"], row["meaning"]) for row in _read_csv("reasons.csv")}


def lookup_status(status: str | None, inferred: bool, reason: str | None) -> str | None:
    """Return the status to find a recipient's directory entry by.

    A reply without an enhanced code is recorded as X.0.0; the words' reason
    ("user unknown") names the entry better (X.1.1).
    """
    if status and inferred and status.endswith(".0.0") and reason:
        standing = reason_table().get(reason, ("", ""))[0]
        if standing and standing[0] == status[0]:
            return standing
    return status


def reason_of_status(status: str) -> str | None:
    """Return the reason a status code stands for ("5.1.1" is user_unknown)."""
    parts = status.split(".")
    if len(parts) != 3:
        return None
    reasons = status_reasons()
    return reasons.get(f"{parts[1]}.{parts[2]}") or reasons.get(f"{parts[1]}.0")


@cache
def class_subject_table() -> dict[tuple[str, str], str]:
    """Return class and subject meanings keyed by ("class"|"subject", digit)."""
    return {(row["part"], row["value"]): row["meaning"] for row in _read_csv("class_subject.csv")}


@cache
def microsoft_components() -> dict[str, str]:
    """Return Microsoft transport component names and their meaning."""
    return {
        row["name"]: row["meaning"]
        for row in _read_csv("microsoft.csv")
        if row["kind"] == "component"
    }


@cache
def microsoft_statuses() -> dict[str, str]:
    """Return what Microsoft means by codes whose standard meaning misleads."""
    return {
        row["name"]: row["meaning"] for row in _read_csv("microsoft.csv") if row["kind"] == "status"
    }


@cache
def wording_table() -> tuple[Reason, ...]:
    """Return the ordered wording -> reason table."""
    with open(data_path("wording.json"), encoding="utf-8") as handle:
        rows = json.load(handle)["reasons"]
    return tuple(
        Reason(
            r["reason"],
            r["status"],
            r["hard"],
            tuple(p.lower() for p in r["phrases"]),
            r.get("outranks_status", False),
        )
        for r in rows
    )


def describe_status(code: str, provider: str | None = None) -> CodeInfo | None:
    """Return the meaning of an enhanced status code, falling back to class/subject.

    For a Microsoft bounce, Microsoft's own use of a code wins over the standard one.
    """
    if provider in MICROSOFT_PROVIDERS and (meaning := microsoft_statuses().get(code)):
        title, _, description = meaning.partition(": ")
        return CodeInfo(code, title, description or meaning)
    parts = code.split(".")
    if len(parts) != 3:
        return None
    info = enhanced_table().get(f"{parts[1]}.{parts[2]}")
    if info is not None:
        return CodeInfo(code, info.title, info.description)
    cls = class_subject_table().get(("class", parts[0]))
    subject = class_subject_table().get(("subject", parts[1]))
    if cls is None or subject is None:
        return None
    return CodeInfo(code, f"{subject} (not in the registry)", cls)


def describe_reply(code: str) -> CodeInfo | None:
    """Return the meaning of a three-digit SMTP reply code."""
    return reply_table().get(code)


def _innermost_pair(text: str) -> re.Match[str] | None:
    """Return the (reply, status) match of the innermost quoted server reply.

    A wrapper often quotes the remote server: "554 4.4.7 Message expired ...
    <421 4.4.2 Connection timed out>"; the last pair of the same class is the cause.
    """
    pairs = list(REPLY_ENHANCED_RE.finditer(text[:8000]))
    if not pairs:
        return None
    if int(pairs[0].group(2).rsplit(".", 1)[1]) >= PROVIDER_DETAIL_FROM or (
        MS_COMPONENT_AFTER_RE.match(text, pairs[0].end())
    ):
        # A provider's own code ("550 5.7.350 Remote server returned message detected
        # as spam -> 554 5.7.1 ...", "550 4.4.7 QUEUE.Expired; message expired ... 441
        # 4.4.1 ..."): it names the failure; the later reply is the last attempt's error.
        return pairs[0]
    first = pairs[0].group(2)[0]
    same = [m for m in pairs if m.group(2)[0] == first and m.group(1)[0] == m.group(2)[0]]
    return same[-1] if same else pairs[0]


@cache
def blocklists() -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """Return the block lists rejections name: (name, needles, lookup URL)."""
    return tuple(
        (row["name"], tuple(row["needles"].split("|")), row["lookup_url"])
        for row in _read_csv("blocklists.csv")
    )


def find_blocklist(text: str) -> tuple[str, str] | None:
    """Return (name, lookup URL) of a third-party block list ``text`` names, or None."""
    low = text.lower()
    for name, needles, lookup in blocklists():
        if any(needle in low for needle in needles):
            return name, lookup
    return None


def find_listed_ip(text: str) -> str | None:
    """Return the IP address a rejection names in brackets: "banned sending IP [192.0.2.7]"."""
    for match in BRACKETED_IP_RE.finditer(text[:8000]):
        address = match.group(1)
        if ipv4_valid(address) or ipv6_valid(address):  # as ipaddress.ip_address() reads it
            return address
    return None


UNDERLYING_MAX = 320


def underlying_error(text: str, chosen: str) -> str | None:
    """Return the reply a wrapper quotes after the one it was classified by, if any.

    "550 4.4.7 QUEUE.Expired; message expired ... 441 4.4.1 Error encountered while
    communicating with primary target IP address": the last attempt's error is the
    root cause of the expiry.
    """
    at = text.find(chosen)
    if at < 0:
        return None
    later = [
        m
        for m in REPLY_ENHANCED_RE.finditer(text, at + len(chosen), at + len(chosen) + 4000)
        if m.group(1)[0] in "45"
    ]
    if not later:
        return None
    start = later[-1].start()
    error = " ".join(text[start : start + 600].split())
    if len(error) > UNDERLYING_MAX:
        # End on the last full sentence that fits, not in the middle of a word.
        cut = error.rfind(". ", 0, UNDERLYING_MAX)
        error = error[: cut + 1] if cut > 0 else error[:UNDERLYING_MAX] + "…"
    return error.rstrip("]'>) ") or None


@per_input(256)
def find_status_match(text: str) -> tuple[str, str] | None:
    """Return the enhanced status code of ``text`` and the words it was read from.

    The server's own reply ("550 5.1.1") comes first, then a code on its own.
    """
    pair = _innermost_pair(text)
    if pair:
        return pair.group(2), pair.group(0)
    match = ENHANCED_RE.search(text)
    return (".".join(match.groups()), match.group(0)) if match else None


def find_reply(text: str) -> str | None:
    """Return the SMTP reply code in ``text``, preferring one next to an enhanced code."""
    pair = _innermost_pair(text)
    if pair:
        return pair.group(1)
    match = REPLY_RE.search(text)
    return match.group(1) if match else None


def find_exception(text: str) -> str | None:
    """Return a Microsoft exception identifier in ``text``."""
    match = MS_EXCEPTION_RE.search(text)
    return match.group(1).rstrip(".") if match else None


def find_antispam_rule(text: str) -> str | None:
    """Return a Microsoft anti-spam rule ("AS(1450)", "S3150") in ``text``."""
    if "AS" not in text and "S3" not in text:
        return None
    match = MS_ANTISPAM_RE.search(text)
    return match.group(0) if match else None


def find_component(text: str, exception: str | None) -> str | None:
    """Return the Microsoft component named by the exception or the text."""
    names = microsoft_components()
    if exception:
        for name in sorted(names, key=len, reverse=True):
            if exception.startswith(name + "."):
                return name
    for name in ("FilteringService", "OutboundSpam", "TRANSPORT.RULES"):
        if name in text:
            return name
    return None


@cache
def wording_phrases() -> PhraseTable:
    """Return the phrases of the wording table, ranked by row."""
    return PhraseTable(row.phrases for row in wording_table())


@per_input(256)
def infer_reason(text: str) -> Reason | None:
    """Return the first wording-table row whose phrase occurs in ``text``."""
    rank = wording_phrases().first(text.lower())
    return None if rank is None else wording_table()[rank]


@per_input(256)
def find_wording(text: str) -> Wording | None:
    """Return the first wording-table row found in ``text``, with its phrase and position."""
    found = wording_phrases().first_match(lower_same_length(text))
    if found is None:
        return None
    rank, phrase, start = found
    return Wording(wording_table()[rank], phrase, start)


def lower_same_length(text: str) -> str:
    """Lower-case ``text`` keeping every character at its index.

    U+0130 (capital I with dot) is the one character whose lower case is two
    characters long; it becomes a plain "i" so that positions found in the
    result hold in ``text``.
    """
    if not text.isascii():
        text = text.replace("\u0130", "i")
    return text.lower()
