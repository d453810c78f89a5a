"""DMARC alignment, computed: the From domain against the SPF and DKIM domains.

Organisational domains come from the Public Suffix List as the
``publicsuffixlist`` package bundles it (ICANN and private sections, so it
works offline): ``mail.example.co.uk`` -> ``example.co.uk``.  The package's
matcher is given only the rules that can match the domain (see ``_rules_for``).  Alignment is
relaxed (organisational domains equal) unless the DMARC stamp states strict
mode (``aspf=s`` / ``adkim=s``), when the domains themselves must be equal
(RFC 7489 section 3.1).  Without the package, the last two labels stand in
for the organisational domain.
"""

from __future__ import annotations

import os
from contextlib import suppress
from functools import cache

from ..memo import per_input
from .ip import is_ip
from .model import AlignedDomain, Alignment, AuthResult


@cache
def _psl_text() -> bytes | None:
    """The Public Suffix List the publicsuffixlist package bundles, as bytes (None without it)."""
    try:
        import publicsuffixlist
    except ImportError:
        return None
    path = os.path.join(os.path.dirname(publicsuffixlist.__file__), "public_suffix_list.dat")
    try:
        with open(path, "rb") as handle:
            text = handle.read()
    except OSError:
        return None
    return text.replace(b"\r\n", b"\n") if b"\r" in text else text


@cache
def _psl_lines() -> frozenset[bytes] | None:
    """Every line of the list, to look rules up by (about a millisecond, once)."""
    text = _psl_text()
    return None if text is None else frozenset(text.split(b"\n"))


def _rules_for(domain: str, lines: frozenset[bytes]) -> list[str]:
    """The rules of the list that can match ``domain``.

    A rule matches when it names one of the domain's suffixes ("com",
    "example.com"), is a wildcard one label above a suffix ("*.example.com"), or
    an exception naming a suffix ("!www.example.com"); each is looked up among
    the lines of the list.  The Unicode form of a punycoded
    suffix is looked up too: the list writes internationalised names in Unicode.
    """
    labels = domain.split(".")
    suffixes = [".".join(labels[i:]) for i in range(len(labels))]
    if "xn--" in domain:
        for suffix in list(suffixes):
            with suppress(UnicodeError):
                suffixes.append(suffix.encode("ascii").decode("idna"))
    rules = []
    for suffix in suffixes:
        for rule in (suffix, "*." + suffix, "!" + suffix):
            if rule.encode("utf-8") in lines:
                rules.append(rule)
    return rules


@per_input(4096)
def organizational_domain(domain: str | None) -> str | None:
    """The registrable domain of ``domain`` ("a.b.example.co.uk" -> "example.co.uk").

    The publicsuffixlist package's matcher answers from the few rules of its
    list that can match the domain (``_rules_for``): parsing the whole list
    would cost some 40 ms of the command line's start-up.
    """
    if not domain:
        return None
    domain = domain.strip().rstrip(".").lower()
    if not domain or is_ip(domain):
        return None
    lines = _psl_lines()
    if lines is None:
        labels = domain.split(".")
        return ".".join(labels[-2:]) if len(labels) >= 2 else domain
    from publicsuffixlist import PublicSuffixList

    rules = _rules_for(domain, lines)
    # Punycode versions of Unicode rules are made only when there are such rules.
    psl = PublicSuffixList(rules, accept_encoded_idn=not all(r.isascii() for r in rules))
    # A public suffix itself ("co.uk") has no organisational domain: it stands for itself.
    return psl.privatesuffix(domain) or domain


def aligned(domain: str | None, from_domain: str | None, strict: bool) -> bool:
    """Return True when ``domain`` aligns with ``from_domain`` (strict: equal)."""
    if not domain or not from_domain:
        return False
    if strict:
        return domain == from_domain
    return organizational_domain(domain) == organizational_domain(from_domain)


def compute(from_domain: str | None, results: list[AuthResult]) -> Alignment | None:
    """Align the From domain with the SPF and DKIM results that count.

    The trusted results when there are any; else those of the closest
    Authentication-Results header, for display (``trusted`` false).
    """
    chosen = [r for r in results if r.trusted]
    trusted = bool(chosen)
    if not chosen:
        first = next((r for r in results if r.header == "Authentication-Results"), None)
        where = first.span.index if first is not None and first.span is not None else None
        chosen = [r for r in results if where is not None and r.span and r.span.index == where]
    if not chosen:
        return None
    from .auth import strict_modes  # imported by now: there are results

    dmarc = next((r for r in chosen if r.method == "dmarc"), None)
    if from_domain is None and dmarc is not None:
        from_domain = dmarc.domain
    strict_spf, strict_dkim = strict_modes(dmarc)
    result = Alignment(
        from_domain=from_domain,
        organizational_domain=organizational_domain(from_domain),
        spf_mode="strict" if strict_spf else "relaxed",
        dkim_mode="strict" if strict_dkim else "relaxed",
        dmarc_result=dmarc.result if dmarc else None,
        dmarc_policy=dmarc.policy if dmarc else None,
        trusted=trusted,
        span=(dmarc or chosen[0]).span,
    )
    spf = next((r for r in chosen if r.method == "spf"), None)
    if spf is not None:
        result.spf = AlignedDomain(
            domain=spf.domain,
            organizational_domain=organizational_domain(spf.domain),
            result=spf.result,
            aligned=aligned(spf.domain, from_domain, strict_spf),
        )
    for dkim in (r for r in chosen if r.method == "dkim"):
        result.dkim.append(
            AlignedDomain(
                domain=dkim.domain,
                organizational_domain=organizational_domain(dkim.domain),
                result=dkim.result,
                aligned=aligned(dkim.domain, from_domain, strict_dkim),
            )
        )
    result.aligned_pass = bool(
        (result.spf and result.spf.result == "pass" and result.spf.aligned)
        or any(d.result == "pass" and d.aligned for d in result.dkim)
    )
    return result
