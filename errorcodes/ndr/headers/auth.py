"""Authentication-Results and ARC-Authentication-Results (RFC 8601), read with ``authres``.

Each header is first repaired for the malformed variants mail systems really
write (listed in ``data/authentication.json`` under "repairs": Exchange Online
writes no authserv-id and puts a bare domain between clauses, some write
``smtp.mailfrom=<>``, Yahoo's older stamps a ``from=`` note), then handed to
the ``authres`` parser.  When authres still rejects it, a lenient reading
keeps what can be seen, and none of it is trusted.

Which stamps are trusted (and so count for alignment and verdicts):

* only ``Authentication-Results`` headers that authres parsed;
* stamped by the receiving organisation: the same authserv-id as the topmost
  parsed ``Authentication-Results`` header, the one closest to the recipient
  (a sender, or any server on the way, can add headers further down, but not
  above the receiver's own).  Microsoft's stamps are one stamper: Exchange
  Online writes no authserv-id, and names its hosts (``*.outlook.com``,
  ``*.protection.outlook.com`` ...) when it does, so a missing authserv-id and a
  Microsoft host count as the same organisation;
* never ``ARC-Authentication-Results`` (what an intermediary recorded when it
  sealed the message) nor ``Authentication-Results-Original`` (Microsoft's
  rename of an earlier organisation's stamps): both are shown, as not trusted.

Nothing is logged; a header authres cannot read is simply read leniently.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from ..lazyre import lazy
from ..memo import per_input
from ..statuscodes import data_path, load_json
from .block import DOMAIN_RE as DOMAIN_ONLY_RE
from .block import Header, HeaderBlock, domain_of
from .ip import is_ip
from .model import AuthResult

DATA = data_path("authentication.json")

# Headers read, by lower-case name -> name as shown.
AR_NAMES = {
    "authentication-results": "Authentication-Results",
    "arc-authentication-results": "ARC-Authentication-Results",
    "authentication-results-original": "Authentication-Results-Original",
    "x-original-authentication-results": "X-Original-Authentication-Results",
}
TRUSTABLE = "authentication-results"
# Headers read per block, and how many of them (from the top) authres parses: it is
# slow (about a third of a millisecond for a Microsoft stamp, comments taken out
# first) and its time grows with the square of a header's length.
MAX_AR_HEADERS = 20
MAX_PARSED_HEADERS = 8
# authres' readings kept while one input is decoded (see _parse).
PARSES_KEPT = 256
# Longer values are not given to authres (real ones are under 2,000 characters).
MAX_AR_CHARS = 3000
# authres reads nested comments recursively: deeper ones are not given to it.
MAX_NESTING = 8
# Clauses kept per header.
MAX_CLAUSES = 40
# What stands in for a missing authserv-id while authres parses.
PLACEHOLDER = "authserv-id.invalid"
# Host names under which Microsoft stamps (its authserv-ids, when it writes one).
MICROSOFT_HOSTS = (
    "outlook.com",
    "office365.com",
    "exchangelabs.com",
    "microsoft.com",
    "hotmail.com",
    "outlook.office365.com",
    "prod.outlook.com",
)

# "spf=pass", "dkim/1 = fail": a clause that starts with a method and its result.
METHOD_RE = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9_.-]{0,63})\s*(?:/\s*\d{1,3}\s*)?=\s*([^\s;()]*)")
# The ARC instance tag: "i=1;".
INSTANCE_RE = lazy(r"\s*i\s*=\s*(\d{1,4})\s*;")
# Yahoo's "from=example.com" note (in the authserv-id clause or on its own).
FROM_NOTE_RE = re.compile(r"(?:^|\s)from=([^\s;()]+)")
# A clause that is only properties (Yahoo's "; header.i=@example.com" after its dkim=).
PROPERTY_CLAUSE_RE = re.compile(r"(?:smtp|header|body|policy)\.[A-Za-z0-9_-]{1,40}\s*=", re.I)
# A property cut short at the header's end: "... smtp.mail=".
CUT_PROPERTY_RE = re.compile(r"\s([A-Za-z][A-Za-z0-9_-]{0,40}\.[A-Za-z0-9_-]{0,40})\s*=\s*$")
# A property value in angle brackets: "smtp.mailfrom=<>".
ANGLE_VALUE_RE = re.compile(r"=\s*<([^<>\s;]*)>")
# key=value tokens of a clause ("header.d=example.com", "action=none", "p=REJECT").
TOKEN_RE = re.compile(
    r"([A-Za-z][A-Za-z0-9_-]{0,40}(?:\.[A-Za-z][A-Za-z0-9_-]{0,40})?)\s*=\s*(\"[^\"]{0,500}\"|[^\s;()\"]{0,500})"
)
# A comment without comments inside.
COMMENT_RE = re.compile(r"\(([^()]{0,1000})\)")
SPECIALS_RE = re.compile(r'[;()"\\]')
# The sending IP address in a comment: "sender IP is 192.0.2.1", "designates 192.0.2.1 as".
COMMENT_IP_RE = lazy(r"(?:sender IP is|designates?|client-ip=|IP is)\s*\[?([0-9A-Fa-f:.]{3,45})\]?")
# The DMARC policy an action of Microsoft's implies.
ACTION_POLICY = {
    "oreject": "reject",
    "reject": "reject",
    "pct.reject": "reject",
    "quarantine": "quarantine",
    "pct.quarantine": "quarantine",
}
STRICT_RE = {
    "spf": lazy(r"\baspf\s*=\s*s\b", re.I),
    "dkim": lazy(r"\badkim\s*=\s*s\b", re.I),
}


@cache
def table() -> dict[str, Any]:
    """The methods, results, properties and codes (data/authentication.json)."""
    return load_json(DATA)


def read(block: HeaderBlock) -> list[AuthResult]:
    """Every result of every authentication header of the block, top first, with trust decided."""
    headers = [h for h in block.headers if h.lname in AR_NAMES][:MAX_AR_HEADERS]
    results: list[AuthResult] = []
    stamper: str | None = None  # the receiving organisation's key (see _stamper_key)
    for number, header in enumerate(headers):
        found, parsed, authserv_id = read_header(header, parse=number < MAX_PARSED_HEADERS)
        if parsed and header.lname == TRUSTABLE and stamper is None:
            stamper = _stamper_key(authserv_id)
        for res in found:
            res.trusted = (
                parsed and header.lname == TRUSTABLE and _stamper_key(res.authserv_id) == stamper
            )
            results.append(res)
    return results


def read_header(header: Header, parse: bool = True) -> tuple[list[AuthResult], bool, str | None]:
    """Return the results of one header, whether authres parsed it, and its authserv-id."""
    raw_value = header.value(MAX_AR_CHARS + 1)
    too_long = len(raw_value) > MAX_AR_CHARS
    value = raw_value[:MAX_AR_CHARS]
    instance = None
    if header.lname == "arc-authentication-results":
        tag = INSTANCE_RE.match(value)
        if tag is not None:
            instance = int(tag.group(1))
            value = value[tag.end() :]
    authserv_id, clauses, from_note = _repair(value)
    parsed_results = None
    if parse and not too_long and clauses and 0 <= _nesting(value) <= MAX_NESTING:
        parsed_results = _authres(authserv_id, clauses)
    parsed = parsed_results is not None
    results: list[AuthResult] = []
    for position, clause in enumerate(clauses):
        loose = _lenient(clause)
        if loose is None:
            continue
        method, result = loose
        reason = properties = None
        if parsed_results is not None and position < len(parsed_results):
            method, result, reason, properties = parsed_results[position]
        res = AuthResult(
            header=AR_NAMES[header.lname],
            authserv_id=authserv_id,
            method=method.lower(),
            result=result.lower(),
            instance=instance,
            parsed=parsed,
            span=header.span(),
        )
        _fill(res, clause, reason, properties, from_note)
        results.append(res)
    return results, parsed, authserv_id


def _repair(value: str) -> tuple[str | None, list[str], str | None]:
    """Apply the documented repairs: return the authserv-id, the clauses and a from= note."""
    pieces = split_clauses(value)
    if not pieces:
        return None, [], None
    from_note = None
    first = pieces[0].strip()
    authserv_id: str | None = None
    starts_with_result = METHOD_RE.match(first) and not FROM_NOTE_RE.match(" " + first)
    if starts_with_result or first.lower() == "none":
        # No authserv-id: the first clause is already a result.
        rest = pieces
    else:
        note = FROM_NOTE_RE.search(first)
        if note is not None:
            from_note = note.group(1)
            first = FROM_NOTE_RE.sub(" ", first).strip()
        words = first.split()
        authserv_id = words[0].lower().rstrip(".") if words else None
        rest = pieces[1:]
    clauses: list[str] = []
    for piece in rest[:MAX_CLAUSES]:
        clause = piece.strip()
        if not clause or clause.lower() == "none":
            continue
        if DOMAIN_ONLY_RE.fullmatch(clause):
            continue  # Exchange Online's receiving-domain note
        note = FROM_NOTE_RE.fullmatch(clause)
        if note is not None:
            from_note = from_note or note.group(1)
            continue
        clause = ANGLE_VALUE_RE.sub(r"=\1", clause)
        if clauses and PROPERTY_CLAUSE_RE.match(clause):
            clauses[-1] += " " + clause  # properties of the clause before
            continue
        clauses.append(clause)
    if clauses:
        cut = CUT_PROPERTY_RE.search(clauses[-1])
        if cut is not None and cut.group(1).lower() not in table()["properties"]:
            clauses[-1] = clauses[-1][: cut.start()]  # a header cut short mid-property
    return authserv_id, clauses, from_note


def split_clauses(value: str) -> list[str]:
    """Split a header value on the semicolons outside comments and quoted strings."""
    if "(" not in value and '"' not in value:
        return value.split(";")
    pieces: list[str] = []
    start = depth = 0
    quoted = False
    escaped_at = -1  # the character after a backslash is taken as it is
    for match in SPECIALS_RE.finditer(value):
        ch, at = match.group(), match.start()
        if at == escaped_at:
            continue
        if ch == "\\":
            escaped_at = at + 1
        elif quoted:
            quoted = ch != '"'
        elif ch == '"':
            quoted = depth == 0
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif depth == 0:
            pieces.append(value[start:at])
            start = at + 1
    pieces.append(value[start:])
    return pieces


def _nesting(value: str) -> int:
    """The deepest nesting of comments; -1 when parentheses or quotes do not balance."""
    depth = deepest = 0
    quotes = 0
    for ch in SPECIALS_RE.findall(value):
        if ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return -1
        elif ch == '"':
            quotes += 1
    return deepest if depth == 0 and quotes % 2 == 0 else -1


# authres' reading of a header: (method, result, reason, properties) of each clause.
Parsed = list[tuple[str, str, str | None, dict[str, str]]]


def _authres(authserv_id: str | None, clauses: list[str]) -> Parsed | None:
    """Parse the repaired header with authres; None when it rejects it (or is missing).

    The reading is a fresh copy (``_fill`` adds to its properties) of ``_parse()``'s.
    """
    try:
        import authres  # noqa: F401  imported on first use: most inputs have no such header
    except ImportError:  # not installed: every header is read leniently, none trusted
        return None
    parsed = _parse(authserv_id, tuple(clauses))
    if parsed is None:
        return None
    return [(method, result, reason, dict(props)) for method, result, reason, props in parsed]


# authres is the costliest part of the analysis (see MAX_PARSED_HEADERS), and within
# one input the same stamp comes again: copied into an ARC header, written twice, or
# in both the bounce and its attached original.  Its readings are kept for the rest
# of the input (memo.py), PARSES_KEPT at most.
@per_input(PARSES_KEPT)
def _parse(authserv_id: str | None, clauses: tuple[str, ...]) -> Parsed | None:
    """authres' reading of the repaired header (see ``_authres``)."""
    import authres

    # Without their comments (authres drops them, and its time grows with the square
    # of the length); a clause with a quoted string keeps them, parentheses and all.
    text = f"{authserv_id or PLACEHOLDER}; " + "; ".join(_uncommented(c) for c in clauses)
    try:
        header = authres.parse_value(text)
    except Exception:  # authres raises its SyntaxError, and more on hostile input
        return None
    found = []
    for res in header.results:
        properties = {}
        for prop in res.properties:
            key = f"{prop.type}.{prop.name}".lower()
            properties.setdefault(key, str(prop.value) if prop.value is not None else "")
        found.append((str(res.method), str(res.result), res.reason and str(res.reason), properties))
    if len(found) != len(clauses):
        return None
    for (_, _, _, properties), clause in zip(found, clauses, strict=True):
        # authres skips a property it cannot read without failing the header: a
        # property written in the clause but missing from its reading is a rejection.
        written = {k.lower() for k, _ in TOKEN_RE.findall(COMMENT_RE.sub(" ", clause)) if "." in k}
        if not written <= set(properties):
            return None
    return found


def _uncommented(clause: str) -> str:
    if "(" not in clause or '"' in clause:
        return clause
    for _ in range(MAX_NESTING):
        clause, removed = COMMENT_RE.subn(" ", clause)
        if not removed or "(" not in clause:
            break
    return clause


def _lenient(clause: str) -> tuple[str, str] | None:
    """The method and result of a clause, as far as can be seen; None when there are none."""
    match = METHOD_RE.match(clause)
    if match is None or not match.group(2):
        return None
    return match.group(1), match.group(2)


def _fill(
    res: AuthResult,
    clause: str,
    reason: str | None,
    properties: dict[str, str] | None,
    from_note: str | None,
) -> None:
    """Complete a result from its clause: comment, properties, reason, domain, IP, policy."""
    comment = COMMENT_RE.search(clause)
    res.comment = " ".join(comment.group(1).split()) or None if comment else None
    bare = COMMENT_RE.sub(" ", clause)
    tokens = [(k.lower(), v.strip('"')) for k, v in TOKEN_RE.findall(bare)][1:]  # not method=
    if properties is None:
        properties = {k: v for k, v in reversed(tokens) if "." in k}
    res.properties = properties
    loose = {k: v for k, v in tokens if "." not in k}
    res.loose_keys = tuple(loose)
    res.reason = reason or loose.get("reason") or None
    res.action = loose.get("action", "").lower() or None
    res.clause = clause
    in_comment = dict(
        (k.lower(), v) for c in COMMENT_RE.findall(clause) for k, v in TOKEN_RE.findall(c)
    )
    policy = in_comment.get("p") or properties.get("policy.dmarc") or loose.get("p")
    if not policy and res.method == "dmarc" and res.action:
        # Microsoft states the policy through the action it took: oreject, pct.reject ...
        policy = ACTION_POLICY.get(res.action)
    res.policy = policy.lower() if policy else None
    if from_note and "header.from" not in res.properties and res.method in ("dkim", "domainkeys"):
        res.properties["header.from"] = from_note
    res.domain = _domain_of(res)
    res.ip = _ip_of(res, clause)
    _describe(res)


def _domain_of(res: AuthResult) -> str | None:
    props = res.properties
    if res.method == "spf":
        keys = ("smtp.mailfrom", "smtp.helo", "smtp.mfrom")
    elif res.method in ("dkim", "domainkeys"):
        keys = ("header.d", "header.i", "header.from")
    elif res.method in ("dmarc", "compauth", "bimi"):
        keys = ("header.from",)
    elif res.method == "sender-id":
        keys = ("header.from", "header.sender", "smtp.mfrom")
    elif res.method == "auth":
        keys = ("smtp.auth", "smtp.mailfrom")
    else:
        keys = ("header.from", "header.d", "smtp.mailfrom")
    for key in keys:
        domain = domain_of(props.get(key))
        if domain:
            return domain
    return None


def _ip_of(res: AuthResult, clause: str) -> str | None:
    candidates = [
        res.properties.get(k) for k in ("smtp.remote-ip", "smtp.client-ip", "policy.iprev")
    ]
    if res.comment:
        found = COMMENT_IP_RE.search(res.comment)
        candidates.append(found.group(1) if found else None)
    for candidate in candidates:
        if candidate and is_ip(candidate.strip("[]")):
            return candidate.strip("[]")
    return None


def _describe(res: AuthResult) -> None:
    """Set meaning, reason_meaning and known from the table."""
    data = table()
    method = data["methods"].get(res.method)
    if method is None and res.method.startswith(data["experimental_prefix"]["prefix"]):
        method = data["experimental_prefix"]
    res.meaning = method["results"].get(res.result) if method else None
    if res.method == "compauth" and res.reason:
        res.reason_meaning = compauth_reason(res.reason)
    elif res.method == "dmarc" and res.action:
        res.reason_meaning = data["dmarc_actions"].get(res.action)
    res.known = not unknown_tokens(res)


def compauth_reason(code: str) -> str | None:
    """The meaning of a compauth reason code: "000" ... "010", "130", else by its first digit."""
    reasons = table()["methods"]["compauth"]["reasons"]
    code = code.strip()
    if code in reasons:
        return reasons[code]
    if len(code) == 3 and code.isdigit():
        return reasons.get(code[0] + "xx")
    return None


def unknown_tokens(res: AuthResult) -> list[str]:
    """What of a result the table does not explain: method, result, property names."""
    data = table()
    unknown = []
    method = data["methods"].get(res.method)
    experimental = res.method.startswith(data["experimental_prefix"]["prefix"])
    if method is None and not experimental:
        unknown.append(f"method {res.method}")
    elif res.meaning is None:
        unknown.append(f"result {res.method}={res.result}")
    unknown += [f"property {key}" for key in res.properties if key not in data["properties"]]
    if res.method == "compauth" and res.reason and res.reason_meaning is None:
        unknown.append(f"compauth reason {res.reason}")
    allowed = data["loose_tokens"]
    unknown += [f"token {key}=" for key in res.loose_keys if key not in allowed and key != "reason"]
    if res.method == "dmarc" and res.action and res.action not in data["dmarc_actions"]:
        unknown.append(f"dmarc action {res.action}")
    return unknown


def says_unsigned(res: AuthResult) -> bool:
    """A DKIM result other than none whose comment says there was no signature
    (Yahoo writes "dkim=neutral (no sig)")."""
    comment = (res.comment or "").lower()
    return bool(comment) and any(words in comment for words in table()["unsigned_comments"])


def strict_modes(dmarc: AuthResult | None) -> tuple[bool, bool]:
    """(aspf=s, adkim=s): strict alignment as the DMARC stamp states it."""
    if dmarc is None:
        return False, False
    return bool(STRICT_RE["spf"].search(dmarc.clause)), bool(STRICT_RE["dkim"].search(dmarc.clause))


def _stamper_key(authserv_id: str | None) -> str:
    """Who stamped: "microsoft" for no authserv-id or a Microsoft host, else the id."""
    if not authserv_id or authserv_id == PLACEHOLDER:
        return "microsoft"
    host = authserv_id.lower().rstrip(".")
    if any(host == h or host.endswith("." + h) for h in MICROSOFT_HOSTS):
        return "microsoft"
    return host
