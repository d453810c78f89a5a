"""Why it bounced, in words: the rules of data/header_verdicts.json over the analysis.

``facts()`` flattens the analysis (trusted results only) and the first failed
recipient's status and reason into named values; a small generic matcher
(``matches()``) evaluates each rule's condition over them, and the first
matching rule of each kind gives a verdict: its sentence and fix with the
facts filled in.  The rules file documents its own format.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from ..lazyre import lazy
from ..statuscodes import data_path, load_json
from . import route
from .model import Analysis, AuthResult, FactValue, Verdict

if TYPE_CHECKING:
    from ..result import Recipient

DATA = data_path("header_verdicts.json")
# Named conditions may refer to each other; this deep at most.
MAX_DEPTH = 12
# "Spf=Pass, Dkim=Fail, DMARC=Pass" in a 5.7.515 reply.
REPLY_AUTH_RE = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.I)
PASSING = ("pass",)
SPF_FAILING = ("fail", "softfail", "neutral", "permerror", "temperror", "hardfail", "policy")


@cache
def rules() -> dict[str, Any]:
    """The rules file, its conditions compiled (see ``compile_condition``)."""
    data = load_json(DATA)
    named = data["conditions"]
    data["compiled_conditions"] = {}
    for name, cond in named.items():
        data["compiled_conditions"][name] = compile_condition(cond, data)
    for rule in data["rules"]:
        rule["gate"], rule["rest"] = _split(rule["when"], data)
    return data


def judge(analysis: Analysis, recipients: list[Recipient], is_bounce: bool) -> list[Verdict]:
    """The verdicts of every rule kind whose condition holds, in the file's order."""
    return evaluate(_LazyFacts(analysis, recipients, is_bounce))


def evaluate(known: dict[str, FactValue]) -> list[Verdict]:
    """The verdicts the rules give for these facts (``facts()``; phrases are added to it)."""
    data = rules()
    memo: dict[str, bool] = {}  # named conditions, evaluated once
    verdicts: list[Verdict] = []
    seen: set[str] = set()
    filled: _Filled | None = None
    lazy = known if isinstance(known, _LazyFacts) else None
    for number, rule in enumerate(data["rules"]):
        # The rule's condition holds when its gate and the rest do (see _split).
        if rule["kind"] in seen or (rule["gate"] is not None and not rule["gate"](known, memo)):
            continue
        if rule["rest"] is not None:
            if lazy is not None:
                lazy.complete()
            if not rule["rest"](known, memo):
                continue
        if filled is None:
            if lazy is not None:
                lazy.complete()  # a verdict shows facts and phrases that no rule read
            filled = _phrases(known)  # words are only needed for a verdict
        seen.add(rule["kind"])
        verdicts.append(
            Verdict(
                kind=rule["kind"],
                sentence=render(rule["sentence"], filled),
                fix=render(rule["fix"], filled),
                facts={name: known.get(name) for name in rule["facts"]},
                rule=number,
            )
        )
    return verdicts


Test = Callable[[dict[str, FactValue], dict[str, bool]], bool]


def compile_condition(cond: dict[str, Any], data: dict[str, Any], depth: int = 0) -> Test:
    """Turn a condition of the rules file (see its "_format") into a function of the facts.

    ``{"ref": name}`` is evaluated once per judgement (the memo).
    """
    if depth > MAX_DEPTH:
        raise ValueError("verdict rule conditions nest too deep")
    if "all" in cond or "any" in cond:
        parts = [compile_condition(c, data, depth + 1) for c in cond.get("all", cond.get("any"))]
        if len(parts) == 1:
            return parts[0]  # every test gives a bool: all or any of one is that one
        wanted = "all" in cond  # all: stop at the first false; any: at the first true

        def combined(known: dict[str, FactValue], memo: dict[str, bool]) -> bool:
            for part in parts:
                if part(known, memo) is not wanted:
                    return not wanted
            return wanted

        return combined
    if "not" in cond:
        inner = compile_condition(cond["not"], data, depth + 1)
        return lambda known, memo: not inner(known, memo)
    if "ref" in cond:
        name = cond["ref"]
        if name not in data["conditions"]:
            raise ValueError(f"verdict rules: no condition named {name}")

        def ref(known: dict[str, FactValue], memo: dict[str, bool]) -> bool:
            found = memo.get(name)
            if found is None:
                found = memo[name] = data["compiled_conditions"][name](known, memo)
            return found

        return ref
    fact = cond["fact"]
    checks = [
        _operator(op, data["settings"][want[1:]] if str(want).startswith("$") else want, fact)
        for op, want in cond.items()
        if op != "fact"
    ]
    if len(checks) == 1:
        return checks[0]
    return lambda known, memo: all(check(known, memo) for check in checks)


def _split(cond: dict[str, Any], data: dict[str, Any]) -> tuple[Test | None, Test | None]:
    """A rule's condition as a gate that reads only ``_recipient_facts()``, then the rest.

    The gate is the condition itself when it reads no other fact, else the first
    parts of its "all" that read none; either may be None (nothing to test).  A
    rule whose gate fails never needs the header facts (see ``_LazyFacts``).
    """
    base = BASE_FACTS | set(data["settings"])
    if _facts_read(cond, data) <= base:
        return compile_condition(cond, data), None
    parts = cond.get("all", [])
    count = 0
    while count < len(parts) and _facts_read(parts[count], data) <= base:
        count += 1
    if count == 0:
        return None, compile_condition(cond, data)
    return (
        compile_condition({"all": parts[:count]}, data),
        compile_condition({"all": parts[count:]}, data),
    )


def _facts_read(cond: dict[str, Any], data: dict[str, Any], depth: int = 0) -> set[str]:
    """The names of the facts a condition may read (through its refs too)."""
    if depth > MAX_DEPTH:
        raise ValueError("verdict rule conditions nest too deep")
    if "all" in cond or "any" in cond:
        found: set[str] = set()
        for part in cond.get("all", cond.get("any")):
            found |= _facts_read(part, data, depth + 1)
        return found
    if "not" in cond:
        return _facts_read(cond["not"], data, depth + 1)
    if "ref" in cond:
        return _facts_read(data["conditions"][cond["ref"]], data, depth + 1)
    return {cond["fact"]}


def _operator(op: str, want: Any, fact: str) -> Test:
    """The test of one operator on the fact ``fact`` against ``want``.

    Each reads the fact itself: one call per test, as the rules are run for every message.
    """
    if op == "present":
        wanted = bool(want)
        return lambda known, memo: (
            ((value := known.get(fact)) is not None and value != "") is wanted
        )
    if op == "eq":
        return lambda known, memo: known.get(fact) == want
    if op == "ne":
        return lambda known, memo: known.get(fact) != want
    if op == "in":
        return lambda known, memo: known.get(fact) in want
    if op == "not_in":
        return lambda known, memo: known.get(fact) not in want
    if op in ("gte", "gt", "lte", "lt"):
        compare = {
            "gte": lambda a, b: a >= b,
            "gt": lambda a, b: a > b,
            "lte": lambda a, b: a <= b,
            "lt": lambda a, b: a < b,
        }[op]
        return lambda known, memo: _is_number(value := known.get(fact)) and compare(value, want)
    if op == "prefix":
        prefixes = tuple(want) if isinstance(want, list) else (want,)
        return lambda known, memo: (
            isinstance(value := known.get(fact), str) and value.startswith(prefixes)
        )
    if op == "matches":
        pattern = lazy(want)  # compiled when a rule first gets this far
        return lambda known, memo: (
            isinstance(value := known.get(fact), str) and pattern.search(value) is not None
        )
    raise ValueError(f"verdict rules: unknown operator {op}")


def _is_number(value: FactValue) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Filled(dict):
    """Facts for str.format_map: a missing fact reads "unknown"."""

    def __missing__(self, key: str) -> str:
        return "unknown"


def render(template: str, filled: dict[str, FactValue], squeeze: bool = True) -> str:
    """Fill ``{fact}`` placeholders from ``filled`` (see ``fill()``).

    ``squeeze`` makes every run of white space one space (a phrase keeps its
    leading space, for the sentence it goes into).
    """
    text = template.format_map(filled)
    return " ".join(text.split()) if squeeze else text


def fill(known: dict[str, FactValue]) -> _Filled:
    """The facts with a value, for ``render()``: any other reads "unknown"."""
    return _Filled({k: v for k, v in known.items() if v is not None})


def facts(analysis: Analysis, recipients: list[Recipient], is_bounce: bool) -> dict[str, FactValue]:
    """The named values the rules read (trusted stamps only), phrases added as ``*_text``."""
    known: dict[str, FactValue] = {}
    rcpt = _recipient_facts(analysis, recipients, is_bounce, known)
    _header_facts(analysis, rcpt, known)
    return known


class _LazyFacts(dict):
    """``facts()`` in two steps, for ``judge()``: the recipient's facts and the settings
    at once, the header facts (most of the cost) only once a rule passes its gate
    (see ``_split``) or gives a verdict.  Most bounces are about something no header
    explains, and their rules stop at the recipient's status and reason."""

    def __init__(self, analysis: Analysis, recipients: list[Recipient], is_bounce: bool) -> None:
        super().__init__()
        rcpt = _recipient_facts(analysis, recipients, is_bounce, self)
        self._pending: tuple[Analysis, Recipient | None] | None = (analysis, rcpt)

    def complete(self) -> None:
        """Add the header facts (once): the facts are then those ``facts()`` gives."""
        if self._pending is not None:
            analysis, rcpt = self._pending
            self._pending = None
            _header_facts(analysis, rcpt, self)


# The recipient's attributes _recipient_facts() adds; with the settings, BASE_FACTS are
# all it adds, and _header_facts() changes none of them.
RECIPIENT_FACTS = (
    "status",
    "reason",
    "action",
    "reply_code",
    "listed_ip",
    "blocklist",
    "antispam_rule",
)
BASE_FACTS = frozenset({"is_bounce", "source", "has_recipient", *RECIPIENT_FACTS})


def _recipient_facts(
    analysis: Analysis, recipients: list[Recipient], is_bounce: bool, known: dict[str, FactValue]
) -> Recipient | None:
    """Add the bounce's facts, the settings and the first failed recipient's; return it."""
    known["is_bounce"] = is_bounce
    known["source"] = analysis.source
    known.update(rules()["settings"])
    rcpt = next((r for r in recipients if r.action in ("failed", "delayed")), None) or (
        recipients[0] if recipients else None
    )
    known["has_recipient"] = rcpt is not None
    for name in RECIPIENT_FACTS:
        known[name] = getattr(rcpt, name) if rcpt is not None else None
    return rcpt


def _header_facts(analysis: Analysis, rcpt: Recipient | None, known: dict[str, FactValue]) -> None:
    """Add what the headers say: From domain, authentication, anti-spam, route, IP."""
    if analysis.from_domain is not None:
        known["from_domain"] = analysis.from_domain.domain
        known["from_org"] = analysis.from_domain.organizational_domain
    _auth_facts(analysis, known)
    _antispam_facts(analysis, known)
    _route_facts(analysis, known)
    _requirement_facts(rcpt, known)
    known["ip"] = (
        known.get("cip") or known.get("spf_ip") or known.get("listed_ip") or _first_ip(analysis)
    )


def _auth_facts(analysis: Analysis, known: dict[str, FactValue]) -> None:
    trusted = [r for r in analysis.authentication if r.trusted]
    known["trusted_auth"] = bool(trusted)
    align = analysis.alignment if analysis.alignment and analysis.alignment.trusted else None
    if known.get("from_domain") is None and align is not None:
        known["from_domain"] = align.from_domain
        known["from_org"] = align.organizational_domain
    spf = _first(trusted, "spf")
    if spf is not None:
        known["spf_result"] = spf.result
        known["spf_domain"] = spf.domain
        known["spf_ip"] = spf.ip
        known["spf_aligned"] = bool(align and align.spf and align.spf.aligned)
    known["spf_state"] = _spf_state(spf, known.get("spf_aligned"))
    dkims = [r for r in trusted if r.method == "dkim"]
    aligned_dkim = {d.domain for d in align.dkim if d.aligned} if align else set()
    chosen = next((r for r in dkims if r.result == "pass" and r.domain in aligned_dkim), None)
    chosen = chosen or next((r for r in dkims if r.result == "pass"), None)
    chosen = chosen or next((r for r in dkims if r.result != "none"), None)
    chosen = chosen or (dkims[0] if dkims else None)
    if chosen is not None:
        known["dkim_result"] = chosen.result
        known["dkim_domain"] = chosen.domain
        known["dkim_aligned"] = chosen.domain in aligned_dkim
    domains = [r.domain for r in dkims if r.domain]
    known["dkim_domains"] = ", ".join(dict.fromkeys(domains)) or None
    known["dkim_state"] = _dkim_state(chosen, known.get("dkim_aligned"))
    dmarc = _first(trusted, "dmarc")
    if dmarc is not None:
        known["dmarc_result"] = dmarc.result
        known["dmarc_policy"] = dmarc.policy
        known["dmarc_action"] = dmarc.action
        if known.get("from_domain") is None:
            known["from_domain"] = dmarc.domain
    compauth = _first(trusted, "compauth")
    if compauth is not None:
        known["compauth_result"] = compauth.result
        known["compauth_reason"] = compauth.reason
        known["compauth_reason_meaning"] = compauth.reason_meaning
        known["compauth_group"] = (
            compauth.reason[0] + "xx" if compauth.reason and len(compauth.reason) == 3 else None
        )
    if align is not None:
        known["aligned_pass"] = align.aligned_pass
        known["alignment_mode"] = (
            "strict" if "strict" in (align.spf_mode, align.dkim_mode) else "relaxed"
        )


def _first(results: list[AuthResult], method: str) -> AuthResult | None:
    return next((r for r in results if r.method == method), None)


def _spf_state(spf: AuthResult | None, is_aligned: FactValue) -> str:
    if spf is None:
        return "missing"
    if spf.result == "pass":
        return "aligned" if is_aligned else "unaligned"
    if spf.result == "none":
        return "none"
    if spf.result in SPF_FAILING:
        return "failed"
    return "other"


def _dkim_state(dkim: AuthResult | None, is_aligned: FactValue) -> str:
    if dkim is None:
        return "missing"
    if dkim.result == "pass":
        return "aligned" if is_aligned else "unaligned"
    from .auth import says_unsigned  # imported by now: there are results

    if dkim.result == "none" or says_unsigned(dkim):
        return "unsigned"
    return "failed"


def _antispam_facts(analysis: Analysis, known: dict[str, FactValue]) -> None:
    spam = analysis.antispam
    if spam is None:
        return
    for name in ("scl", "bcl", "pcl", "sfv", "cat", "ipv", "srv", "sfty", "cip", "destination"):
        known[name] = getattr(spam, name)
    meanings = {}
    for item in spam.fields:
        if item.trusted and item.field in ("SCL", "BCL", "SFV", "CAT"):
            meanings.setdefault(item.field, item.meaning)
    for name, field_name in (("scl", "SCL"), ("bcl", "BCL"), ("sfv", "SFV"), ("cat", "CAT")):
        if getattr(spam, name) is not None:
            known[f"{name}_meaning"] = meanings.get(field_name)


def _route_facts(analysis: Analysis, known: dict[str, FactValue]) -> None:
    path = analysis.route
    if path is None:
        return
    known["hops"] = len(path.hops)
    known["total_seconds"] = path.total_seconds
    known["total_text"] = route.duration(path.total_seconds)
    slowest = path.slowest
    held = slowest.delay_seconds if slowest else None
    newest = next((h for h in reversed(path.hops) if h.time), None)
    if path.until_report_seconds is not None and (held is None or path.until_report_seconds > held):
        known["held_seconds"] = path.until_report_seconds
        known["held_at"] = newest.by_host if newest else None
        known["held_next"] = None
        known["held_hop"] = newest.index if newest else None
        known["held_since"] = newest.time if newest else None
    elif slowest is not None:
        before = path.hops[slowest.index - 2] if slowest.index >= 2 else None
        known["held_seconds"] = held
        known["held_at"] = (before.by_host if before else None) or slowest.from_host
        known["held_next"] = slowest.by_host
        known["held_hop"] = slowest.index
    known["held_text"] = route.duration(known.get("held_seconds"))  # type: ignore[arg-type]


def _requirement_facts(rcpt: Recipient | None, known: dict[str, FactValue]) -> None:
    """What the 5.7.515 requirement (SPF pass, DKIM pass, DMARC published and aligned) misses."""
    states = {
        "SPF": known.get("spf_state") in ("aligned", "unaligned"),
        "DKIM": known.get("dkim_state") in ("aligned", "unaligned"),
        "DMARC": known.get("dmarc_result") == "pass",
    }
    if not known.get("trusted_auth") and rcpt is not None and rcpt.diagnostic:
        # The reply itself may say it: "Spf=Pass, Dkim=Fail, DMARC=Pass".
        said = {k.upper(): v.lower() for k, v in REPLY_AUTH_RE.findall(rcpt.diagnostic[:2000])}
        if said:
            states = {name: said.get(name) in PASSING for name in states}
            known["reply_auth"] = ", ".join(f"{k}={v}" for k, v in said.items())
    missing = [name for name, ok in states.items() if not ok]
    known["auth_missing"] = _join(missing) or None


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _first_ip(analysis: Analysis) -> str | None:
    """The IP address that connected to the server whose stamp counts (its Received hop)."""
    if analysis.route is None:
        return None
    stampers = {r.authserv_id for r in analysis.authentication if r.trusted and r.authserv_id}
    return next(
        (h.from_ip for h in reversed(analysis.route.hops) if h.from_ip and h.by_host in stampers),
        None,
    )


def _phrases(known: dict[str, FactValue]) -> _Filled:
    """Add every phrase of the rules file as a fact, in the file's order; return them filled.

    A phrase picks its words by the value of one fact ("null" when it has none,
    "*" for any other value) and may use the facts, and earlier phrases, itself.
    """
    filled = fill(known)
    for name, phrase in rules()["phrases"].items():
        value = known.get(phrase["fact"])
        key = "null" if value is None or value == "" else str(value).lower()
        template = phrase["values"].get(key, phrase["values"].get("*"))
        if template is not None:
            known[name] = filled[name] = render(template, filled, squeeze=False)
    return filled
