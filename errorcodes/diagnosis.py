"""Turn a decoder result into what a person needs: what happened, who acts, the fix.

The decoder (errorcodes.ndr) knows nothing about the directory; this module
joins its findings to the directory's entries and, where there is no entry,
to the standard meaning of the codes.
"""

import csv
import dataclasses
import io
import logging
import re
from dataclasses import dataclass, field
from functools import cached_property
from html import unescape

from django.utils.html import escape, strip_tags

from .caching import directory_version
from .lookup import RULE_TOKEN, EntryIndex
from .models import AntispamRule, Component, ErrorCode, ExceptionIdentifier
from .ndr import DecodeResult, Evidence, Recipient, decode
from .ndr.classify import provider_names
from .ndr.cli import csv_cell
from .ndr.evidence import input_text as evidence_input
from .ndr.statuscodes import (
    CodeInfo,
    blocklists,
    describe_reply,
    describe_status,
    find_status_match,
    lookup_status,
    microsoft_components,
    reason_table,
)
from .routechart import Stop, route_svg

# Who usually has to act when no directory entry says, by the status code's
# subject digit (RFC 3463: X.<subject>.Z).
ACTORS_BY_SUBJECT = {
    "1": ["you (the sender)"],  # addressing
    "2": ["the recipient", "the recipient's email admin"],  # mailbox
    "3": ["the recipient's email admin"],  # mail system
    "4": ["your email admin", "the recipient's email admin"],  # network and routing
    "5": ["your email admin"],  # mail delivery protocol
    "6": ["you (the sender)"],  # message content or media
    "7": ["your email admin", "the recipient's email admin"],  # security or policy
}


@dataclass
class RecipientDiagnosis:
    """One recipient's failure, explained."""

    recipient: Recipient
    entry: ErrorCode | None
    status_info: CodeInfo | None
    reply_info: CodeInfo | None
    component: Component | None
    component_meaning: str | None
    exception: ExceptionIdentifier | None = None
    antispam: AntispamRule | None = None
    # The entry of the last attempt's error a wrapper quotes (4.4.1 inside QUEUE.Expired).
    underlying_entry: ErrorCode | None = None
    # The input the recipient was read from, for the excerpts (the page shows them).
    source_text: str = field(default="", repr=False)
    # Which message of a mailbox upload it came from ("bounces.mbox #3"), else "".
    message: str = ""

    @cached_property
    def excerpts(self) -> dict[str, "Excerpt"]:
        """The words each verdict rests on, in the pasted text: {"status": Excerpt, ...}.

        Read only when shown: a bounce with thousands of recipients shows a few."""
        text = self.source_text
        return {
            name: shown
            for name, item in self.recipient.evidence.items()
            if text and (shown := excerpt(text, item)) is not None
        }

    @property
    def reason_meaning(self) -> str | None:
        """The cause in plain words ("the mailbox does not exist at the receiving server")."""
        known = reason_table().get(self.recipient.reason or "")
        return known[1] if known else None

    @property
    def reply_summary(self) -> str | None:
        """The reply code read in this bounce's context: who refused, for good or for now,
        and why (the status's meaning), not the code's textbook title."""
        rcpt = self.recipient
        if not rcpt.reply_code:
            return None
        verb = {"5": "refused the message for good", "4": "turned the message away for now"}
        said = f"{rcpt.reply_code}: the receiving server {verb.get(rcpt.reply_code[0], 'answered')}"
        why = self.reason_meaning if rcpt.reason not in (None, "undefined") else None
        why = why or (self.status_info.title if self.status_info else None)
        return f"{said}; why: {why}." if why else f"{said}."

    @property
    def delist_steps(self) -> list[str]:
        """What to do with the IP address and the block list the rejection names."""
        rcpt = self.recipient
        ip = rcpt.listed_ip
        steps = []
        if rcpt.blocklist:
            lookup = BLOCKLIST_URLS.get(rcpt.blocklist, "")
            steps.append(
                f"Look up {ip or 'your sending IP address'} on {rcpt.blocklist} ({lookup}), "
                "fix what got it listed, then follow that list's removal steps."
            )
        elif self.antispam and self.antispam.delist:
            steps.append(f"For {ip}: {self.antispam.delist}" if ip else self.antispam.delist)
        elif ip and self.entry and any(t.slug == "delist-portal" for t in self.entry.tools.all()):
            steps.append(
                f"Request removal of {ip} at Microsoft's delist portal (https://sender.office.com/)"
                " once you have fixed what got it listed."
            )
        return steps

    @property
    def outcome(self) -> str:
        """Failed for good, failed after retries, or still being retried."""
        rcpt = self.recipient
        if rcpt.action == "delayed":
            return "Temporary failure, still being retried"
        if rcpt.permanent:
            return "Permanent failure"
        return "Temporary failure, given up"

    @property
    def is_generic(self) -> bool:
        """True when no directory entry explains this code."""
        return self.entry is None

    @property
    def headline(self) -> str:
        if self.entry:
            return self.entry.title
        if self.status_info:
            return self.status_info.title
        if self.reply_info:
            return self.reply_info.title
        return "Delivery failed"

    @property
    def summary(self) -> str:
        if self.entry:
            return self.entry.microsoft_behaviour
        if self.status_info:
            return self.status_info.description
        if self.reply_info:
            return self.reply_info.description
        return "The bounce does not say why; read the server's own words below."

    @property
    def retry_advice(self) -> str:
        rcpt = self.recipient
        if rcpt.hard_bounce:
            return (
                "Don't retry: the address itself is bad. Correct it, or remove it from your lists."
            )
        if rcpt.permanent:
            return (
                "Retrying the same message will fail the same way. Fix the cause "
                "first, then send it again."
            )
        if rcpt.action == "failed":
            return (
                "The sending server has given up: this message will not arrive. The cause "
                "was temporary, so once it has cleared, send the message again."
            )
        return (
            "This is temporary: the sending server keeps retrying on its own, and the "
            "message may still arrive. Act only if the delay goes on or it finally bounces."
        )

    @property
    def first_steps(self) -> list[tuple[str, str]]:
        """What each party does first, as (audience, step HTML): the entry's own first
        steps, or, for a code without one, what its kind of failure calls for."""
        if self.entry and (steps := self.entry.first_steps):
            return steps
        rcpt = self.recipient
        if rcpt.hard_bounce:
            step = GENERIC_FIRST_STEPS["bad_address"]
        elif rcpt.action == "delayed":
            step = GENERIC_FIRST_STEPS["delayed"]
        elif rcpt.permanent:
            step = GENERIC_FIRST_STEPS["refused"]
        else:
            step = GENERIC_FIRST_STEPS["gave_up"]
        return [("If you sent the message", escape(step))]

    @property
    def actors(self) -> list[str]:
        if self.entry and self.entry.who_can_fix:
            return [str(party) for party in self.entry.who_can_fix]
        status = self.recipient.status or ""
        return ACTORS_BY_SUBJECT.get(status[2:3], ["your email admin"])


@dataclass
class Excerpt:
    """A verdict's words with a little of the text around them, for showing."""

    before: str
    words: str
    after: str
    basis: str


# Characters shown on each side of the words a verdict rests on.
EXCERPT_MARGIN = 60


def excerpt(text: str, evidence: Evidence) -> Excerpt | None:
    """Return the words of ``evidence`` in ``text`` with their surroundings, or None."""
    if evidence.start is None or evidence.end is None or evidence.end > len(text):
        return None
    start = max(0, evidence.start - EXCERPT_MARGIN)
    end = min(len(text), evidence.end + EXCERPT_MARGIN)
    before = _unquoted(text[start : evidence.start])
    after = _unquoted(text[evidence.end : end])
    return Excerpt(
        before=("…" if start else "")
        + " ".join(before.split())
        + (" " if before[-1:].isspace() else ""),
        words=" ".join(_unquoted(text[evidence.start : evidence.end]).split()),
        after=(" " if after[:1].isspace() else "")
        + " ".join(after.split())
        + ("…" if end < len(text) else ""),
        basis=evidence.basis,
    )


# The "> " quoting at the start of the lines of a forwarded bounce.
LINE_QUOTE = re.compile(r"\n[ \t]*(?:>[ \t]?)+")


def _unquoted(text: str) -> str:
    """Return ``text`` without the quoting of its lines, as the bounce itself reads."""
    return LINE_QUOTE.sub("\n", text)


@dataclass
class Report:
    """The whole decoded bounce, ready for a page or the API.

    For a mailbox upload, one Report holds every message's recipients (``parts``
    keeps each message's own Report, ``not_bounces`` counts the others)."""

    result: DecodeResult
    recipients: list[RecipientDiagnosis] = field(default_factory=list)
    parts: list[tuple[str, "Report"]] = field(default_factory=list)
    not_bounces: int = 0

    @classmethod
    def of_messages(cls, parts: list[tuple[str, "Report"]]) -> "Report":
        """One report for the messages of a mailbox: their recipients together."""
        recipients = []
        for label, report in parts:
            for diagnosis in report.recipients:
                diagnosis.message = label
                recipients.append(diagnosis)
        merged = DecodeResult(
            is_bounce=bool(recipients), recipients=[d.recipient for d in recipients]
        )
        not_bounces = sum(1 for _, report in parts if not report.result.is_bounce)
        return cls(merged, recipients, parts=parts, not_bounces=not_bounces)

    @cached_property
    def why(self) -> "WhyItBounced | None":
        """What the original message's headers say (a single bounce or header paste)."""
        return None if self.parts else why_it_bounced(self.result)

    @property
    def bounce_messages(self) -> int:
        return len(self.parts) - self.not_bounces

    @property
    def provider_name(self) -> str | None:
        provider = self.result.provider
        return provider_names().get(provider, provider) if provider else None

    @cached_property
    def groups(self) -> list["CauseGroup"]:
        """Recipients that failed for the same reason, together, in order of first appearance."""
        groups: dict[tuple, CauseGroup] = {}
        for diagnosis in self.recipients:
            key = cause_key(diagnosis)
            if (group := groups.get(key)) is None:
                groups[key] = CauseGroup(diagnosis)
            else:
                group.others.append(diagnosis.recipient.address or "")
        return list(groups.values())

    @property
    def hard_bounce_addresses(self) -> list[str]:
        """The addresses that do not exist, to remove from mailing lists (each once)."""
        found = (d.recipient.address for d in self.recipients if d.recipient.hard_bounce)
        return list(dict.fromkeys(address for address in found if address))

    def plain_text(self, site: str = "") -> str:
        """The diagnosis as plain text, to paste into a ticket or an email to an admin.

        ``site`` ("https://bounces.example.com") makes the links to the entries whole."""
        lines = []
        for group in self.groups:
            diagnosis, rcpt = group.first, group.first.recipient
            addresses = [rcpt.address or "", *group.others]
            named = ", ".join(a for a in addresses[:10] if a)
            more = f" and {group.count - 10} more" if group.count > 10 else ""
            code = " ".join(filter(None, (rcpt.reply_code, rcpt.status)))
            lines += [
                f"{diagnosis.headline}{f' ({code})' if code else ''}",
                f"To: {named or 'recipient not named'}{more}",
                f"What happened: {diagnosis.summary}",
                f"Will it arrive: {diagnosis.retry_advice}",
                f"Who has to act: {', '.join(diagnosis.actors)}",
            ]
            lines += [
                f"First step ({audience.lower()}): {strip_tags(unescape(step))}"
                for audience, step in diagnosis.first_steps[:1]
            ]
            if diagnosis.entry:
                lines.append(f"Full fix: {site}{diagnosis.entry.get_absolute_url()}")
            if rcpt.diagnostic:
                lines.append(f"Server said: {' '.join(rcpt.diagnostic.split())[:500]}")
            lines.append("")
        return "\n".join(lines).strip()

    @property
    def shown_groups(self) -> list["CauseGroup"]:
        return self.groups[:PAGE_MAX_GROUPS]

    @property
    def hidden_groups(self) -> int:
        return max(len(self.groups) - PAGE_MAX_GROUPS, 0)


# What the sender does first when no directory entry covers the code.
GENERIC_FIRST_STEPS = {
    "bad_address": "Check the address for typos; if it is right, ask the person for a "
    "current address, and remove this one from your lists.",
    "refused": "Read the server's own words under Technical details; send them, with this "
    "bounce, to your email admin or the recipient's.",
    "gave_up": "Wait until the cause has cleared (the server's words below say what it was), "
    "then send the message again.",
    "delayed": "Nothing yet: your server keeps trying. Act only if a final bounce follows.",
}

# What a page shows of a bounce with thousands of recipients: one explanation per
# cause, so many causes and so many addresses each; the API and the command line
# give every recipient.
PAGE_MAX_GROUPS = 25
PAGE_MAX_ADDRESSES = 50
API_MAX_RECIPIENTS = 1000


def cause_key(diagnosis: RecipientDiagnosis) -> tuple:
    """What makes two recipients' failures the same: everything but the address."""
    rcpt = diagnosis.recipient
    # The server's words without the words that name an address (linear, unlike a regex).
    said = " ".join(word for word in (rcpt.diagnostic or "")[:500].split() if "@" not in word)
    entry = diagnosis.entry.slug if diagnosis.entry else None
    return (rcpt.status, rcpt.reply_code, entry, rcpt.reason, rcpt.action, rcpt.hard_bounce,
            rcpt.exception, rcpt.antispam_rule, rcpt.remote_mta, said)  # fmt: skip


@dataclass
class CauseGroup:
    """One cause of failure and the recipients it applies to."""

    first: RecipientDiagnosis
    others: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return 1 + len(self.others)

    @property
    def shown_addresses(self) -> list[str]:
        addresses = [self.first.recipient.address or "", *self.others[: PAGE_MAX_ADDRESSES - 1]]
        return [address for address in addresses if address]

    @property
    def hidden_addresses(self) -> int:
        return self.count - min(self.count, PAGE_MAX_ADDRESSES)


logger = logging.getLogger(__name__)
# Block list name -> the page where a sender looks an address up.
BLOCKLIST_URLS = {name: url for name, _, url in blocklists()}


@dataclass
class DirectoryKnowledge:
    """Everything diagnose() reads from the directory, loaded together."""

    index: EntryIndex | None
    entries: dict[str, ErrorCode]
    components: dict[str, Component]
    exceptions: list[ExceptionIdentifier]
    rules: list[AntispamRule]

    @classmethod
    def load(cls) -> "DirectoryKnowledge":
        """Read the directory from the database (five queries)."""
        return cls(
            index=EntryIndex.load(),
            entries=ErrorCode.objects.prefetch_related("tools")
            .select_related("component")
            .in_bulk(),
            components=Component.objects.in_bulk(),
            exceptions=list(ExceptionIdentifier.objects.all()),
            rules=list(AntispamRule.objects.all()),
        )


# The process's copy of the directory, under the version it was read at.  Any
# edit replaces the version (caching.invalidate_directory), so the next request
# reads the database again; until then a decode costs no query at all.
_knowledge: dict[str, DirectoryKnowledge] = {}


def directory_knowledge() -> DirectoryKnowledge:
    """Return the directory as of its current version, read once per version."""
    try:
        version = directory_version()
    except Exception:  # without the cache there is no version to trust: read afresh
        logger.warning("cache unavailable: directory read from the database", exc_info=True)
        return DirectoryKnowledge.load()
    known = _knowledge.get(version)
    if known is None:
        known = DirectoryKnowledge.load()
        _knowledge.clear()
        _knowledge[version] = known
    return known


def diagnose(
    result: DecodeResult,
    knowledge: DirectoryKnowledge | None = None,
    source: bytes | str | None = None,
) -> Report:
    """Explain every recipient of ``result`` with the directory's knowledge.

    ``source``, the decoded input, gives each verdict's words in their context.
    """
    known = knowledge or directory_knowledge()
    index = known.index
    slugs = [
        index(
            lookup_status(r.status, r.status_inferred, r.reason),
            r.exception,
            r.antispam_rule,
            r.diagnostic,
        )
        if index
        else None
        for r in result.recipients
    ]
    text = evidence_input(source) if source is not None else ""
    generic_components = microsoft_components()
    report = Report(result)
    for rcpt, slug in zip(result.recipients, slugs, strict=True):
        entry = known.entries.get(slug) if slug else None
        component = known.components.get(rcpt.component) if rcpt.component else None
        underlying = root_cause_entry(known, rcpt.underlying_error)
        report.recipients.append(
            RecipientDiagnosis(
                recipient=rcpt,
                entry=entry,
                status_info=(
                    describe_status(rcpt.status, result.provider) if rcpt.status else None
                ),
                reply_info=describe_reply(rcpt.reply_code) if rcpt.reply_code else None,
                component=component,
                component_meaning=(
                    component.summary
                    if component
                    else generic_components.get(rcpt.component or "", None)
                ),
                exception=match_exception(known.exceptions, rcpt.exception),
                antispam=match_antispam_rule(known.rules, rcpt.antispam_rule),
                underlying_entry=underlying if underlying != entry else None,
                source_text=text,
            )
        )
    return report


def root_cause_entry(known: DirectoryKnowledge, error: str | None) -> ErrorCode | None:
    """The directory entry of the error a wrapper quotes as its cause, if there is one."""
    found = find_status_match(error) if error and known.index else None
    slug = known.index(found[0], None, None, error) if found else None
    return known.entries.get(slug) if slug else None


def match_exception(
    known: list[ExceptionIdentifier], found: str | None
) -> ExceptionIdentifier | None:
    """Return the longest known identifier that the found exception starts with."""
    if not found:
        return None
    hits = [e for e in known if found.startswith(e.identifier) or e.identifier.startswith(found)]
    return max(hits, key=lambda e: len(e.identifier), default=None)


def match_antispam_rule(known: list[AntispamRule], found: str | None) -> AntispamRule | None:
    """Return the table row naming this rule id, else the row for its family (ASnnnn)."""
    if not found:
        return None
    for rule in known:
        if found in RULE_TOKEN.findall(rule.pattern):
            return rule
    family = "ASnnnn" if found.startswith("AS") else None
    return next((r for r in known if family and r.pattern.startswith(family)), None)


def report_to_dict(report: Report, entry_url, max_recipients: int | None = None) -> dict:
    """Return the API's JSON: the decoder's fields plus the directory entry of each recipient.

    With ``max_recipients``, at most that many recipients are listed;
    ``recipients_total`` and ``truncated`` say how many there were.
    """
    result = report.result
    shown = result.recipients[:max_recipients] if max_recipients is not None else result.recipients
    data = dataclasses.replace(result, recipients=[]).to_dict()
    data["recipients"] = [rcpt.to_dict() for rcpt in shown]
    data["recipients_total"] = len(result.recipients)
    data["truncated"] = len(shown) < len(result.recipients)
    for rcpt_dict, diagnosis in zip(data["recipients"], report.recipients, strict=False):
        entry = diagnosis.entry
        rcpt_dict["entry"] = entry.slug if entry else None
        rcpt_dict["entry_url"] = entry_url(entry) if entry else None
        rcpt_dict["explanation"] = {
            "title": diagnosis.headline,
            "summary": diagnosis.summary,
            "generic": diagnosis.is_generic,
            "who_acts": diagnosis.actors,
            "retry": diagnosis.retry_advice,
            "reason": diagnosis.reason_meaning,
            "exception": diagnosis.exception.meaning if diagnosis.exception else None,
            "antispam_rule": diagnosis.antispam.meaning if diagnosis.antispam else None,
            "delist": diagnosis.antispam.delist if diagnosis.antispam else None,
            "reply": diagnosis.reply_summary,
            "delist_steps": diagnosis.delist_steps,
        }
        underlying = diagnosis.underlying_entry
        rcpt_dict["underlying_entry"] = underlying.slug if underlying else None
    return data


CSV_COLUMNS = (
    "address", "original_address", "action", "status", "reply_code", "permanent",
    "hard_bounce", "reason", "provider", "entry", "remote_mta", "diagnostic", "message",
)  # fmt: skip


def report_csv(report: Report) -> str:
    """One row per recipient, for a spreadsheet or a mailing system's suppression list."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    providers = {label: part.result.provider for label, part in report.parts}
    for diagnosis in report.recipients:
        rcpt = diagnosis.recipient
        values = {
            **{name: getattr(rcpt, name) for name in CSV_COLUMNS if hasattr(rcpt, name)},
            "provider": report.result.provider or providers.get(diagnosis.message),
            "message": diagnosis.message,
            "entry": diagnosis.entry.slug if diagnosis.entry else None,
            "diagnostic": " ".join((rcpt.diagnostic or "").split()),
        }
        writer.writerow([csv_cell(values.get(name)) for name in CSV_COLUMNS])
    return out.getvalue()


def diagnose_messages(messages: list[tuple[str, bytes]]) -> Report:
    """Decode and explain each message of a mailbox upload; one Report for them all."""
    known = directory_knowledge()
    parts = [(label, diagnose(decode(data), known)) for label, data in messages]
    return Report.of_messages(parts)


def mailbox_to_dict(report: Report, entry_url, max_recipients: int) -> dict:
    """The API's JSON for a mailbox: one answer per message, as for a single bounce,
    with at most ``max_recipients`` recipients in all."""
    answers, left = [], max_recipients
    for label, part in report.parts:
        answer = report_to_dict(part, entry_url, max_recipients=left)
        answers.append({"message": label, **answer})
        left = max(left - len(answer["recipients"]), 0)
    return {
        "messages": answers,
        "messages_total": len(report.parts),
        "bounces": len(report.parts) - report.not_bounces,
        "recipients_total": len(report.recipients),
        "truncated": any(answer["truncated"] for answer in answers),
    }


@dataclass
class WhyItBounced:
    """What the original message's headers say about why it was refused, for the page."""

    analysis: dict
    verdicts: list[dict]
    sending_ip: str | None
    from_domain: str | None
    route: list[Stop]
    route_svg: str
    steps: list[str]

    @property
    def dmarc_record(self) -> str | None:
        """The DMARC record to start with, when the From domain's DMARC did not pass."""
        alignment = self.analysis.get("alignment") or {}
        if not self.from_domain or alignment.get("dmarc_result") in (None, "pass"):
            return None
        domain = self.from_domain
        return f'_dmarc.{domain}  TXT  "v=DMARC1; p=none; rua=mailto:dmarc@{domain}"'


def why_it_bounced(result: DecodeResult) -> WhyItBounced | None:
    """The header analysis of ``result`` made ready for the page, or None without one."""
    if result.analysis is None:
        return None
    analysis = result.analysis.to_dict()
    antispam = analysis.get("antispam") or {}
    trusted_ips = [a.get("ip") for a in analysis.get("authentication", []) if a.get("trusted")]
    sending_ip = antispam.get("cip") or next((ip for ip in trusted_ips if ip), None)
    from_domain = (analysis.get("from_domain") or {}).get("domain")
    route = analysis.get("route") or {}
    slowest = (route.get("slowest") or {}).get("index")
    stops = [
        Stop(
            host=hop.get("by_host") or hop.get("from_host") or "",
            delay_seconds=hop.get("delay_seconds"),
            slowest=hop.get("index") == slowest,
        )
        for hop in route.get("hops", [])
    ]
    steps = []
    if sending_ip:
        steps.append(
            f"Sending IP {sending_ip}: if Microsoft 365 blocked it (5.7.606-649), request removal "
            "at https://sender.office.com/; for Outlook.com, watch it in SNDS "
            "(https://sendersupport.olc.protection.outlook.com/snds/)."
        )
    return WhyItBounced(
        analysis=analysis,
        verdicts=analysis.get("verdicts", []),
        sending_ip=sending_ip,
        from_domain=from_domain,
        route=stops,
        route_svg=route_svg(stops),
        steps=steps,
    )
