"""The shape of ``DecodeResult.analysis``: plain classes with ``to_dict()``.

Each part keeps the header it was read from (``Span``): its name and, once
``analysis.locate()`` has run, where it stands in the input (character offsets
as ``Evidence`` counts them), or null offsets when the header is not there
verbatim (a base64 attachment, a paste re-wrapped by a mail client).

Plain classes, not dataclasses: a dozen dataclasses cost 3 ms to create, a
tenth of what the analysis may add to a one-file run of the command line.
Each ``__init__`` takes the fields in order, as a dataclass's would.
"""

from __future__ import annotations

from typing import Any

# A fact's value in a verdict: what the JSON schema allows.
FactValue = str | int | bool | None


class Span:
    """Where the header a part was read from stands in the input."""

    def __init__(
        self,
        header: str,
        start: int | None = None,
        end: int | None = None,
        index: int = -1,
        raw: str = "",
        token: str = "",
    ) -> None:
        self.header = header
        self.start = start
        self.end = end
        # Position of the header in its block and its raw value: what locate() looks
        # for. Not output.
        self.index = index
        self.raw = raw
        # A piece of the value to point at ("SCL:6" inside the whole header).
        self.token = token

    def to_dict(self) -> dict[str, Any]:
        return {"header": self.header, "start": self.start, "end": self.end}


def span_dict(span: Span | None) -> dict[str, Any] | None:
    return span.to_dict() if span is not None else None


class FromDomain:
    """The From address of the message and its domains."""

    def __init__(
        self,
        address: str | None = None,
        domain: str | None = None,
        organizational_domain: str | None = None,
        span: Span | None = None,
    ) -> None:
        self.address = address
        self.domain = domain
        # The registrable domain (Public Suffix List): what relaxed alignment compares.
        self.organizational_domain = organizational_domain
        self.span = span

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "domain": self.domain,
            "organizational_domain": self.organizational_domain,
            "span": span_dict(self.span),
        }


class AuthResult:
    """One method's result in an Authentication-Results header."""

    def __init__(
        self,
        header: str,
        authserv_id: str | None,
        method: str,
        result: str,
        instance: int | None = None,
        meaning: str | None = None,
        reason: str | None = None,
        reason_meaning: str | None = None,
        comment: str | None = None,
        properties: dict[str, str] | None = None,
        domain: str | None = None,
        ip: str | None = None,
        action: str | None = None,
        policy: str | None = None,
        trusted: bool = False,
        parsed: bool = False,
        known: bool = False,
        span: Span | None = None,
        clause: str = "",
        loose_keys: tuple[str, ...] = (),
    ) -> None:
        # Authentication-Results, ARC-Authentication-Results, Authentication-Results-Original.
        self.header = header
        # The host that stamped the header; None when it wrote none (Exchange Online).
        self.authserv_id = authserv_id
        self.method = method
        self.result = result
        # The ARC instance (i=) of an ARC-Authentication-Results header.
        self.instance = instance
        # What the result means, in words; None for an unknown method or result.
        self.meaning = meaning
        # reason= of the clause (compauth's three-digit code) and its meaning.
        self.reason = reason
        self.reason_meaning = reason_meaning
        # The first comment after the result: "(sender IP is 192.0.2.1)".
        self.comment = comment
        # "ptype.property" -> value, as written (smtp.mailfrom, header.d, header.from ...).
        self.properties = {} if properties is None else properties
        # The domain the result is about (SPF: the envelope sender's; DKIM: the
        # signer's; DMARC and compauth: the From domain's).
        self.domain = domain
        # The sending IP address the stamp names (Microsoft's "sender IP is ...").
        self.ip = ip
        # DMARC: Microsoft's action=, and the policy (p=) when the stamp gives it.
        self.action = action
        self.policy = policy
        # Stamped by the receiving organisation (see auth.py): only these count.
        self.trusted = trusted
        # The authres library read the header (after the documented repairs). False
        # when it rejected it, when it is too long, or past the first
        # auth.MAX_PARSED_HEADERS headers: such a header is read leniently, never trusted.
        self.parsed = parsed
        # The method and result are in the table (data/authentication.json).
        self.known = known
        self.span = span
        # The clause as read, and its key=value names without a ptype. Not output.
        self.clause = clause
        self.loose_keys = loose_keys

    def to_dict(self) -> dict[str, Any]:
        return {
            "header": self.header,
            "authserv_id": self.authserv_id,
            "instance": self.instance,
            "method": self.method,
            "result": self.result,
            "meaning": self.meaning,
            "reason": self.reason,
            "reason_meaning": self.reason_meaning,
            "comment": self.comment,
            "properties": dict(self.properties),
            "domain": self.domain,
            "ip": self.ip,
            "action": self.action,
            "policy": self.policy,
            "trusted": self.trusted,
            "parsed": self.parsed,
            "known": self.known,
            "span": span_dict(self.span),
        }


class AlignedDomain:
    """An SPF or DKIM domain set against the From domain."""

    def __init__(
        self,
        domain: str | None,
        organizational_domain: str | None,
        result: str,
        aligned: bool,
    ) -> None:
        self.domain = domain
        self.organizational_domain = organizational_domain
        self.result = result
        self.aligned = aligned

    def to_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "organizational_domain": self.organizational_domain,
            "result": self.result,
            "aligned": self.aligned,
        }


class Alignment:
    """DMARC alignment, computed: the From domain against the SPF and DKIM domains."""

    def __init__(
        self,
        from_domain: str | None = None,
        organizational_domain: str | None = None,
        spf_mode: str = "relaxed",
        dkim_mode: str = "relaxed",
        spf: AlignedDomain | None = None,
        dkim: list[AlignedDomain] | None = None,
        dmarc_result: str | None = None,
        dmarc_policy: str | None = None,
        aligned_pass: bool = False,
        trusted: bool = False,
        span: Span | None = None,
    ) -> None:
        self.from_domain = from_domain
        self.organizational_domain = organizational_domain
        # "relaxed" (organisational domains equal) or "strict" (domains equal):
        # strict when the DMARC stamp says aspf=s / adkim=s.
        self.spf_mode = spf_mode
        self.dkim_mode = dkim_mode
        self.spf = spf
        self.dkim = [] if dkim is None else dkim
        # The DMARC stamp's own result and policy, when there is one.
        self.dmarc_result = dmarc_result
        self.dmarc_policy = dmarc_policy
        # SPF or DKIM passed for an aligned domain: DMARC passes on these results.
        self.aligned_pass = aligned_pass
        # Computed from trusted stamps (else from the closest stamp, for display only).
        self.trusted = trusted
        self.span = span

    def to_dict(self) -> dict[str, Any]:
        return {
            "from_domain": self.from_domain,
            "organizational_domain": self.organizational_domain,
            "spf_mode": self.spf_mode,
            "dkim_mode": self.dkim_mode,
            "spf": self.spf.to_dict() if self.spf else None,
            "dkim": [d.to_dict() for d in self.dkim],
            "dmarc_result": self.dmarc_result,
            "dmarc_policy": self.dmarc_policy,
            "aligned_pass": self.aligned_pass,
            "trusted": self.trusted,
            "span": span_dict(self.span),
        }


class AntispamField:
    """One field:value of a Microsoft anti-spam header."""

    def __init__(
        self,
        header: str,
        field: str,
        value: str,
        name: str | None = None,
        meaning: str | None = None,
        known: bool = False,
        trusted: bool = True,
        span: Span | None = None,
    ) -> None:
        self.header = header
        self.field = field
        self.value = value
        # The field's name in words ("Spam confidence level").
        self.name = name
        # What the value means; for a free field, what the field is.
        self.meaning = meaning
        # Field and value are in the table (data/antispam.json); diagnostic fields are known.
        self.known = known
        # From the receiving organisation's own header (not an "-Untrusted" copy).
        self.trusted = trusted
        self.span = span

    def to_dict(self) -> dict[str, Any]:
        return {
            "header": self.header,
            "field": self.field,
            "value": self.value,
            "name": self.name,
            "meaning": self.meaning,
            "known": self.known,
            "trusted": self.trusted,
            "span": span_dict(self.span),
        }


class Antispam:
    """Microsoft's anti-spam stamps: the main values, and every field in words."""

    def __init__(
        self,
        scl: int | None = None,
        bcl: int | None = None,
        pcl: int | None = None,
        sfv: str | None = None,
        cat: str | None = None,
        ipv: str | None = None,
        srv: str | None = None,
        direction: str | None = None,
        sfty: str | None = None,
        cip: str | None = None,
        country: str | None = None,
        language: str | None = None,
        ptr: str | None = None,
        helo: str | None = None,
        destination: str | None = None,
        fields: list[AntispamField] | None = None,
        span: Span | None = None,
    ) -> None:
        self.scl = scl
        self.bcl = bcl
        self.pcl = pcl
        self.sfv = sfv
        self.cat = cat
        self.ipv = ipv
        self.srv = srv
        self.direction = direction
        self.sfty = sfty
        self.cip = cip
        self.country = country
        self.language = language
        self.ptr = ptr
        self.helo = helo
        # Mailbox-Delivery dest: I (Inbox), J (Junk Email), C (a custom folder).
        self.destination = destination
        self.fields = [] if fields is None else fields
        self.span = span

    def to_dict(self) -> dict[str, Any]:
        return {
            "scl": self.scl,
            "bcl": self.bcl,
            "pcl": self.pcl,
            "sfv": self.sfv,
            "cat": self.cat,
            "ipv": self.ipv,
            "srv": self.srv,
            "direction": self.direction,
            "sfty": self.sfty,
            "cip": self.cip,
            "country": self.country,
            "language": self.language,
            "ptr": self.ptr,
            "helo": self.helo,
            "destination": self.destination,
            "fields": [f.to_dict() for f in self.fields],
            "span": span_dict(self.span),
        }


class RouteHop:
    """One Received header, oldest first."""

    def __init__(
        self,
        index: int,
        from_host: str | None = None,
        from_ip: str | None = None,
        by_host: str | None = None,
        protocol: str | None = None,
        tls_version: str | None = None,
        tls_cipher: str | None = None,
        encrypted: bool | None = None,
        time: str | None = None,
        delay_seconds: int | None = None,
        span: Span | None = None,
        epoch: float | None = None,
    ) -> None:
        self.index = index
        self.from_host = from_host
        self.from_ip = from_ip
        self.by_host = by_host
        # The "with" protocol: ESMTPS, Microsoft SMTP Server, HTTPS, mapi ...
        self.protocol = protocol
        self.tls_version = tls_version
        self.tls_cipher = tls_cipher
        # True when the hop says it used TLS (a TLS version, ESMTPS ...), False when
        # it names a plain protocol (SMTP, ESMTP), None when it does not tell.
        self.encrypted = encrypted
        # The hop's timestamp in UTC, ISO 8601; None when missing or unreadable.
        self.time = time
        # Seconds since the previous hop with a time (negative: clocks disagree).
        self.delay_seconds = delay_seconds
        self.span = span
        # Seconds since the epoch, for the sums. Not output.
        self.epoch = epoch

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "from_host": self.from_host,
            "from_ip": self.from_ip,
            "by_host": self.by_host,
            "protocol": self.protocol,
            "tls_version": self.tls_version,
            "tls_cipher": self.tls_cipher,
            "encrypted": self.encrypted,
            "time": self.time,
            "delay_seconds": self.delay_seconds,
            "span": span_dict(self.span),
        }


class SlowestHop:
    """Where the message waited longest."""

    def __init__(
        self,
        index: int,
        delay_seconds: int,
        from_host: str | None = None,
        by_host: str | None = None,
    ) -> None:
        self.index = index
        self.delay_seconds = delay_seconds
        self.from_host = from_host
        self.by_host = by_host

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "delay_seconds": self.delay_seconds,
            "from_host": self.from_host,
            "by_host": self.by_host,
        }


class Route:
    """The Received chain, oldest hop first."""

    def __init__(
        self,
        hops: list[RouteHop] | None = None,
        total_seconds: int | None = None,
        slowest: SlowestHop | None = None,
        until_report_seconds: int | None = None,
        truncated: bool = False,
    ) -> None:
        self.hops = [] if hops is None else hops
        # From the oldest to the newest hop with a time.
        self.total_seconds = total_seconds
        self.slowest = slowest
        # From the newest hop to the bounce's own Date: how long the last server
        # held the message before reporting (a bounce only).
        self.until_report_seconds = until_report_seconds
        # More Received headers than were read (see route.MAX_HOPS).
        self.truncated = truncated

    def to_dict(self) -> dict[str, Any]:
        return {
            "hops": [h.to_dict() for h in self.hops],
            "total_seconds": self.total_seconds,
            "slowest": self.slowest.to_dict() if self.slowest else None,
            "until_report_seconds": self.until_report_seconds,
            "truncated": self.truncated,
        }


class Verdict:
    """Why it bounced, in words, from a rule of data/header_verdicts.json."""

    def __init__(
        self,
        kind: str,
        sentence: str,
        fix: str,
        facts: dict[str, FactValue] | None = None,
        rule: int = -1,
    ) -> None:
        self.kind = kind
        self.sentence = sentence
        self.fix = fix
        self.facts = {} if facts is None else facts
        # Which rule of the file gave it (its index). Not output.
        self.rule = rule

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "sentence": self.sentence,
            "fix": self.fix,
            "facts": dict(self.facts),
        }


class Analysis:
    """What the message's own headers say about why it bounced."""

    def __init__(
        self,
        source: str,
        from_domain: FromDomain | None = None,
        authentication: list[AuthResult] | None = None,
        alignment: Alignment | None = None,
        antispam: Antispam | None = None,
        route: Route | None = None,
        verdicts: list[Verdict] | None = None,
    ) -> None:
        # "original headers" (the bounce carried them) or "pasted headers" (the
        # input is a message's headers, not a bounce).
        self.source = source
        self.from_domain = from_domain
        self.authentication = [] if authentication is None else authentication
        self.alignment = alignment
        self.antispam = antispam
        self.route = route
        self.verdicts = [] if verdicts is None else verdicts

    def spans(self) -> list[Span]:
        """Every span of the analysis (what locate() fills)."""
        found: list[Span | None] = [self.from_domain.span if self.from_domain else None]
        found += [r.span for r in self.authentication]
        found.append(self.alignment.span if self.alignment else None)
        if self.antispam is not None:
            found.append(self.antispam.span)
            found += [f.span for f in self.antispam.fields]
        if self.route is not None:
            found += [h.span for h in self.route.hops]
        return [s for s in found if s is not None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "from_domain": self.from_domain.to_dict() if self.from_domain else None,
            "authentication": [r.to_dict() for r in self.authentication],
            "alignment": self.alignment.to_dict() if self.alignment else None,
            "antispam": self.antispam.to_dict() if self.antispam else None,
            "route": self.route.to_dict() if self.route else None,
            "verdicts": [v.to_dict() for v in self.verdicts],
        }
