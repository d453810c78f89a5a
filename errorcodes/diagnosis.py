"""Turn a decoder result into what a person needs: what happened, who acts, the fix.

The decoder (errorcodes.ndr) knows nothing about the directory; this module
joins its findings to the directory's entries and, where there is no entry,
to the standard meaning of the codes.
"""

from dataclasses import dataclass, field

from .lookup import EntryIndex
from .models import Component, ErrorCode
from .ndr import DecodeResult, Recipient
from .ndr.statuscodes import CodeInfo, describe_reply, describe_status, microsoft_components

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

PROVIDER_NAMES = {
    "microsoft365": "Microsoft 365 (Exchange Online)",
    "outlook.com": "Outlook.com",
    "exchange": "Microsoft Exchange Server",
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
        return (
            "This is temporary: the sending server keeps retrying on its own, and the "
            "message may still arrive. Act only if the delay goes on or it finally bounces."
        )

    @property
    def actors(self) -> list[str]:
        if self.entry and self.entry.who_can_fix:
            return [str(party) for party in self.entry.who_can_fix]
        status = self.recipient.status or ""
        return ACTORS_BY_SUBJECT.get(status[2:3], ["your email admin"])


@dataclass
class Report:
    """The whole decoded bounce, ready for a page or the API."""

    result: DecodeResult
    recipients: list[RecipientDiagnosis] = field(default_factory=list)

    @property
    def provider_name(self) -> str | None:
        provider = self.result.provider
        return PROVIDER_NAMES.get(provider, provider) if provider else None


def diagnose(result: DecodeResult, index: EntryIndex | None = None) -> Report:
    """Explain every recipient of ``result`` with the directory's knowledge."""
    index = index if index is not None else EntryIndex.load()
    slugs = [index(r.status, r.exception) if index else None for r in result.recipients]
    entries = ErrorCode.objects.prefetch_related("tools").select_related("component")
    entries = entries.in_bulk([slug for slug in slugs if slug])
    components = Component.objects.in_bulk([r.component for r in result.recipients if r.component])
    generic_components = microsoft_components()
    report = Report(result)
    for rcpt, slug in zip(result.recipients, slugs, strict=True):
        entry = entries.get(slug) if slug else None
        component = components.get(rcpt.component) if rcpt.component else None
        report.recipients.append(
            RecipientDiagnosis(
                recipient=rcpt,
                entry=entry,
                status_info=describe_status(rcpt.status) if rcpt.status else None,
                reply_info=describe_reply(rcpt.reply_code) if rcpt.reply_code else None,
                component=component,
                component_meaning=(
                    component.summary
                    if component
                    else generic_components.get(rcpt.component or "", None)
                ),
            )
        )
    return report


def report_to_dict(report: Report, entry_url) -> dict:
    """Return the API's JSON: the decoder's fields plus the directory entry of each recipient."""
    data = report.result.to_dict()
    for rcpt_dict, diagnosis in zip(data["recipients"], report.recipients, strict=True):
        entry = diagnosis.entry
        rcpt_dict["entry"] = entry.slug if entry else None
        rcpt_dict["entry_url"] = entry_url(entry) if entry else None
        rcpt_dict["explanation"] = {
            "title": diagnosis.headline,
            "summary": diagnosis.summary,
            "generic": diagnosis.is_generic,
            "who_acts": diagnosis.actors,
            "retry": diagnosis.retry_advice,
        }
    return data
