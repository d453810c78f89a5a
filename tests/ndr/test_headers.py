"""Why it bounced, from the original message's headers (errorcodes/ndr/headers/).

``samples/headers/`` holds bounces of our own in both Microsoft layouts (raw
.eml with the headers in the body, as text/rfc822-headers or as an attached
message/rfc822, and as text copied from Outlook), Outlook.com, Postfix, and
plain header pastes from Microsoft, Gmail, Yahoo and other receivers;
``samples/headers/expected.json`` states what each must give.  The unit tests
below check each part on its own: the Authentication-Results reader and its
trust rule, alignment, the anti-spam table, the route, and the rules engine.
"""

import json
import logging
import re
import sys

import jsonschema
import pytest

from errorcodes.ndr import decode
from errorcodes.ndr.failures import strict
from errorcodes.ndr.headers import alignment, antispam, auth, route, verdicts
from errorcodes.ndr.headers.block import Header, HeaderBlock
from errorcodes.ndr.schema import schema

from .conftest import SAMPLES

HEADER_SAMPLES = SAMPLES / "headers"
EXPECTED = json.loads((HEADER_SAMPLES / "expected.json").read_text(encoding="utf-8"))
SAMPLE_FILES = sorted(p for p in HEADER_SAMPLES.iterdir() if p.suffix != ".json")


def words(text: str) -> list[str]:
    """The words of ``text``: long lists of tokens stay readable."""
    return text.split()


def decoded(name: str):
    with strict():
        return decode((HEADER_SAMPLES / name).read_bytes())


def path(data, dotted: str):
    for part in dotted.split("."):
        data = data.get(part) if data is not None else None
    return data


def header(name: str, value: str, index: int = 0) -> Header:
    return Header(index, name, value)


def results_of(value: str, name: str = "Authentication-Results"):
    found, parsed, _ = auth.read_header(header(name, value))
    return {r.method: r for r in found}, parsed


# --- The samples ---------------------------------------------------------------------------


def test_every_sample_has_an_expectation_and_every_verdict_kind_is_covered():
    assert {p.name for p in SAMPLE_FILES} == {case["file"] for case in EXPECTED}
    assert len(SAMPLE_FILES) >= 30
    kinds = {kind for case in EXPECTED for kind in case["verdicts"]}
    assert kinds == {rule["kind"] for rule in verdicts.rules()["rules"]}
    layouts = {decode((HEADER_SAMPLES / c["file"]).read_bytes()).layout for c in EXPECTED}
    assert {
        "microsoft_classic",
        "microsoft_current",
        "dsn+microsoft_current",
        "dsn",
        None,
    } <= layouts


@pytest.mark.parametrize("case", EXPECTED, ids=[case["file"] for case in EXPECTED])
def test_sample_gives_its_expected_analysis_and_verdicts(case):
    result = decoded(case["file"])
    assert result.is_bounce is case["is_bounce"], case["note"]
    status = result.recipients[0].status if result.recipients else None
    assert status == case["status"], case["note"]
    analysis = result.analysis.to_dict()
    assert analysis["source"] == case["source"]
    auth_results = analysis["authentication"]
    trusted = sorted({f"{r['method']}={r['result']}" for r in auth_results if r["trusted"]})
    untrusted = sorted({f"{r['method']}={r['result']}" for r in auth_results if not r["trusted"]})
    assert (trusted, untrusted) == (case["trusted"], case["untrusted"]), case["note"]
    for dotted, want in case["checks"].items():
        assert path(analysis, dotted) == want, (dotted, case["note"])
    got = {v["kind"]: v for v in analysis["verdicts"]}
    assert list(got) == list(case["verdicts"]), case["note"]
    for kind, facts in case["verdicts"].items():
        for name, want in facts.items():
            assert got[kind]["facts"][name] == want, (kind, name, case["note"])
        assert "unknown" not in got[kind]["sentence"], got[kind]["sentence"]
        assert "{" not in got[kind]["sentence"] + got[kind]["fix"]


def test_every_rule_of_the_file_gives_a_verdict_for_some_sample_or_case():
    fired = {v.rule for p in SAMPLE_FILES for v in decoded(p.name).analysis.verdicts}
    # The rules no sample reaches, with facts that reach them.
    synthetic = [
        {"is_bounce": True, "status": "5.7.515"},  # no stamp, no summary in the reply
        {
            "is_bounce": False,
            "dmarc_result": "fail",
            "dkim_state": "aligned",
            "spf_state": "failed",
        },
        {"is_bounce": False, "compauth_result": "fail", "compauth_reason": "003"},
    ]
    for facts in synthetic:
        facts = {**verdicts.rules()["settings"], **facts}
        fired |= {v.rule for v in verdicts.evaluate(facts)}
    assert fired == set(range(len(verdicts.rules()["rules"])))


def test_samples_output_is_valid_against_the_schema_and_spans_point_at_their_header():
    validator = jsonschema.Draft202012Validator(schema())
    for sample in SAMPLE_FILES:
        result = decoded(sample.name)
        data = {"schema": "1.1", "file": sample.name, "message": None, **result.to_dict()}
        for rcpt in data["recipients"]:
            rcpt["entry"] = None  # what the command line adds
        errors = sorted(validator.iter_errors(data), key=str)
        assert not errors, f"{sample.name}: {errors[0].message}"
        text = sample.read_bytes().decode("utf-8", "surrogateescape")
        located = 0
        for span in result.analysis.spans():
            if span.start is None:
                continue
            located += 1
            words = text[span.start : span.end]
            assert words.startswith(span.header + ":") or words == span.token, (sample, words)
        assert located, sample.name


def test_a_header_paste_is_a_header_report_not_a_bounce():
    result = decoded("paste-gmail-dmarc-fail.txt")
    assert result.is_bounce is False and result.recipients == []
    assert result.analysis.source == "pasted headers"
    assert result.analysis.from_domain.domain == "example.com"
    # CRLF line ends: the spans still point at the headers.
    text = (HEADER_SAMPLES / "paste-gmail-dmarc-fail.txt").read_bytes().decode()
    stamp = next(r for r in result.analysis.authentication if r.trusted)
    assert text[stamp.span.start :].startswith("Authentication-Results: mx.google.com;\r\n")


def test_the_names_the_readers_read_make_a_block_worth_analysing():
    from errorcodes.ndr.headers import pick

    assert set(auth.AR_NAMES) == pick.AUTH_NAMES <= pick.INTERESTING
    assert all(name.startswith(pick.ANTISPAM_PREFIXES) for name in antispam.table()["headers"])


def test_inputs_without_such_headers_have_no_analysis():
    assert decode((SAMPLES / "ms-classic-01.eml").read_bytes()).analysis is None  # From/To only
    assert decode("550 5.1.1 <a@example.com>: user unknown").analysis is None
    assert decode(b"").analysis is None
    assert decode("Subject: hello\nFrom: a@example.com\n\nhi").analysis is None


def test_the_bounce_s_own_headers_are_not_analysed():
    bounce = (
        "From: MAILER-DAEMON@mx.example.net\nTo: a@example.com\nSubject: Undelivered Mail\n"
        "Received: from mx.example.net by mail.example.com with ESMTP;"
        " Mon, 3 Feb 2025 10:00:00 +0000\n"
        "Authentication-Results: mail.example.com; spf=fail smtp.mailfrom=example.net\n\n"
        "<b@example.net>: host mx.example.net said: 550 5.1.1 unknown user\n"
    )
    result = decode(bounce)
    assert result.is_bounce and result.analysis is None


# --- Authentication-Results ---------------------------------------------------------------


def test_microsoft_stamp_without_authserv_id_is_repaired_and_parsed():
    value = (
        "spf=none (sender IP is 209.132.180.67) smtp.mailfrom=vger.example.net; example.org;"
        " dkim=none (message not signed) header.d=none;example.org; dmarc=fail action=none"
        " header.from=example.org;compauth=fail reason=601"
    )
    found, parsed = results_of(value)
    assert parsed
    assert found["spf"].authserv_id is None and found["spf"].ip == "209.132.180.67"
    assert found["spf"].comment == "sender IP is 209.132.180.67"
    assert found["spf"].domain == "vger.example.net"
    assert found["dkim"].domain is None and found["dkim"].comment == "message not signed"
    assert found["dmarc"].action == "none" and found["dmarc"].domain == "example.org"
    assert found["compauth"].reason == "601"
    assert "own domains" in found["compauth"].reason_meaning
    assert all(r.known for r in found.values())


def test_empty_envelope_sender_and_angle_brackets():
    found, parsed = results_of("spf=none (sender IP is ) smtp.mailfrom=<>; ")
    assert parsed and found["spf"].properties == {"smtp.mailfrom": ""} and found["spf"].ip is None
    found, parsed = results_of("mx.example.net; spf=pass smtp.mailfrom=<bounce@Example.COM>")
    assert parsed and found["spf"].domain == "example.com"


def test_helo_identity_when_the_envelope_sender_is_empty():
    found, _ = results_of(
        "mx.google.com; spf=none (google.com: mail-sor-f69.google.com does not designate permitted"
        " sender hosts) smtp.helo=mail-sor-f69.example.com"
    )
    assert found["spf"].domain == "mail-sor-f69.example.com"


def test_google_dmarc_policy_from_the_comment_and_strict_modes():
    found, _ = results_of(
        "mx.example.net; dmarc=fail (p=REJECT sp=NONE dis=REJECT adkim=s) header.from=example.com"
    )
    assert found["dmarc"].policy == "reject"
    assert auth.strict_modes(found["dmarc"]) == (False, True)


def test_microsoft_action_implies_the_policy():
    found, _ = results_of("dmarc=fail action=pct.quarantine header.from=example.com")
    assert (
        found["dmarc"].policy == "quarantine" and "pct below 100" in found["dmarc"].reason_meaning
    )


def test_arc_instance_and_yahoo_notes():
    found, parsed = results_of(
        "i=3; mx.example.net; arc=pass (as.1.example.net=pass) smtp.remote-ip=192.0.2.1",
        "ARC-Authentication-Results",
    )
    assert parsed and found["arc"].instance == 3 and found["arc"].ip == "192.0.2.1"
    found, parsed = results_of(
        "mta1.mail.example  from=example.com; domainkeys=pass (ok); dkim=pass (ok);"
        " header.i=@example.com"
    )
    assert parsed and found["dkim"].domain == "example.com"
    assert found["dkim"].authserv_id == "mta1.mail.example"


def test_a_header_authres_rejects_is_read_leniently_and_never_trusted():
    block = HeaderBlock(
        [("Authentication-Results", "mx.example.net; spf=pass smtp.mailfrom=a.example (oops")]
    )
    (result,) = auth.read(block)
    assert (result.method, result.result, result.parsed, result.trusted) == (
        "spf",
        "pass",
        False,
        False,
    )


def test_authres_skipping_a_property_counts_as_a_rejection():
    # authres drops an unreadable property and goes on: the header is not taken as parsed.
    found, parsed = results_of("mx.example.net; spf=pass smtp.mailfrom=a@example.com=(x")
    assert not parsed and found["spf"].result == "pass"


def test_only_the_receiving_organisation_s_stamps_are_trusted():
    block = HeaderBlock(
        [
            ("Authentication-Results", "mx.example.net; spf=fail smtp.mailfrom=example.com"),
            ("ARC-Authentication-Results", "i=1; mx.example.net; dkim=pass header.d=example.com"),
            ("Received", "from a by mx.example.net; Mon, 3 Feb 2025 10:00:00 +0000"),
            ("Authentication-Results", "mx.example.net; dmarc=fail header.from=example.com"),
            ("Authentication-Results", "relay.example.org; dkim=pass header.d=example.com"),
            ("Authentication-Results-Original", "spf=pass smtp.mailfrom=example.com"),
        ]
    )
    trusted = [(r.header, r.method) for r in auth.read(block) if r.trusted]
    assert trusted == [
        ("Authentication-Results", "spf"),
        ("Authentication-Results", "dmarc"),
    ]


def test_microsoft_hosts_and_a_missing_authserv_id_are_one_stamper():
    block = HeaderBlock(
        [
            (
                "Authentication-Results",
                "spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com",
            ),
            (
                "Authentication-Results",
                "BN8NAM11FT041.mail.protection.outlook.com; dkim=pass header.d=example.com",
            ),
            ("Authentication-Results", "mx.example.net; dmarc=pass header.from=example.com"),
        ]
    )
    assert [(r.method, r.trusted) for r in auth.read(block)] == [
        ("spf", True),
        ("dkim", True),
        ("dmarc", False),
    ]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("000", "explicit failure"),
        ("001", "implicit failure"),
        ("002", "forbids this sender and domain pair"),
        ("010", "failed DMARC"),
        ("100", "passed authentication"),
        ("130", "trusted ARC sealer"),
        ("202", "soft-passed"),
        ("301", "not checked"),
        ("405", "bypassed"),
        ("501", "not enforced"),
        ("601", "own domains"),
        ("704", "passed authentication"),
        ("905", "bypassed"),
    ],
)
def test_compauth_reason_codes_have_their_meaning(code, words):
    assert words in auth.compauth_reason(code)


def test_unknown_methods_results_and_properties_are_flagged():
    found, parsed = results_of(
        "mx.example.net; zzz=pass header.q=1; spf=wobbly smtp.mailfrom=a.example"
    )
    assert parsed
    assert auth.unknown_tokens(found["zzz"]) == ["method zzz", "property header.q"]
    assert auth.unknown_tokens(found["spf"]) == ["result spf=wobbly"]
    assert not found["zzz"].known and found["spf"].meaning is None
    found, _ = results_of("mx.example.net; x-custom=pass header.id=a@b.example")
    assert found["x-custom"].known  # an experimental x- method is explained as such


def test_without_the_authres_package_nothing_is_trusted(monkeypatch):
    monkeypatch.setitem(sys.modules, "authres", None)  # "import authres" raises ImportError
    result = decoded("ms-classic-dmarc-unsigned.eml")
    assert result.analysis.authentication and not any(
        r.trusted or r.parsed for r in result.analysis.authentication
    )
    assert not any(v.kind in ("dmarc_fail", "spf_fail") for v in result.analysis.verdicts)


# --- Alignment ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "org"),
    [
        ("example.com", "example.com"),
        ("mail.example.co.uk", "example.co.uk"),
        ("a.b.example.co.jp", "example.co.jp"),
        ("bounces.esp.example.net", "example.net"),
        ("EXAMPLE.COM.", "example.com"),
        ("co.uk", "co.uk"),
        ("192.0.2.1", None),
        (None, None),
    ],
)
def test_organizational_domain_from_the_public_suffix_list(domain, org):
    assert alignment.organizational_domain(domain) == org


def test_the_rules_that_can_match_answer_as_the_whole_list_does():
    from publicsuffixlist import PublicSuffixList

    whole = PublicSuffixList()
    rules = [
        line.strip().lstrip("!").removeprefix("*.")
        for line in alignment._psl_text().decode().splitlines()
        if line.strip() and not line.startswith("//")
    ]
    assert len(rules) > 5000
    for rule in [*rules[::5], "xn--p1ai", "xn--80ak6aa92e.com", "example", "www.ck", "x.ck"]:
        for domain in (rule, "a." + rule, "a.b." + rule):
            domain = domain.encode("idna").decode("ascii") if not domain.isascii() else domain
            assert alignment.organizational_domain(domain) == (
                whole.privatesuffix(domain) or domain
            ), domain


def test_without_the_public_suffix_list_the_last_two_labels_stand_in(monkeypatch):
    monkeypatch.setattr(alignment, "_psl_lines", lambda: None)
    alignment.organizational_domain.cache_clear()
    alignment.organizational_domain.cache_clear()
    try:
        assert alignment.organizational_domain("bounces.esp.example.net") == "example.net"
        assert alignment.organizational_domain("localhost") == "localhost"
    finally:
        alignment.organizational_domain.cache_clear()


def test_relaxed_and_strict_alignment():
    assert alignment.aligned("mail.example.co.uk", "example.co.uk", strict=False)
    assert not alignment.aligned("mail.example.co.uk", "example.co.uk", strict=True)
    assert not alignment.aligned("example.co.uk", "other.co.uk", strict=False)
    assert not alignment.aligned(None, "example.com", strict=False)


def test_alignment_uses_the_trusted_stamps_only():
    result = decoded("paste-forged-stamp.txt")
    align = result.analysis.alignment
    assert align.trusted and align.dmarc_result == "fail" and not align.aligned_pass
    assert [d.result for d in align.dkim] == ["none"]


# --- Anti-spam stamps -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("SCL", [str(n) for n in range(-1, 10)]),
        ("BCL", [str(n) for n in range(10)]),
        ("PCL", [str(n) for n in range(9)]),
        ("SFV", words("BLK NSPM SFE SKA SKB SKI SKN SKQ SKS SPM")),
        (
            "CAT",
            words(
                "AMP BIMP BULK DIMP FTBP GIMP HPHSH HPHISH HSPM INTOS MALW OSPM PHSH SAP SPM SPOOF"
                " UIMP NONE"
            ),
        ),
        ("IPV", ["CAL", "NLI"]),
        ("DIR", ["INB", "OUT", "INT"]),
        ("SFTY", ["9.19", "9.20", "9.25"]),
        ("SRV", ["BULK", ""]),
        ("CIP", ["192.0.2.1", "2001:db8::1"]),
        ("CTRY", ["US", ""]),
        ("LANG", ["en", "ru_RU"]),
        ("PTR", ["mail.example.com", ""]),
        ("H", ["mail.example.com"]),
        ("dest", ["I", "J", "C"]),
    ],
)
def test_every_documented_field_and_value_is_in_words(field, values):
    for value in values:
        item = antispam.describe(field, value)
        assert item.known, (field, value)
        assert item.meaning or value == "", (field, value)


def test_unknown_fields_and_values_are_kept_and_flagged():
    for field, value in (("ZZQ", "7"), ("SFV", "XYZ"), ("SCL", "12"), ("BCL", "x")):
        item = antispam.describe(field, value)
        assert (item.field, item.value, item.known) == (field, value, False)
    result = decoded("paste-ms-unknown-fields.txt")
    unknown = [(f.field, f.value) for f in result.analysis.antispam.fields if not f.known]
    assert unknown == [("ZZQ", "7"), ("dest", "Q")]


def test_the_untrusted_copy_is_shown_but_not_used():
    spam = decoded("ms-current-spam.txt").analysis.antispam
    assert spam.scl == 6
    untrusted = [f for f in spam.fields if not f.trusted]
    assert untrusted and {f.header for f in untrusted} == {"X-Forefront-Antispam-Report-Untrusted"}
    assert ("SCL", "1") in [(f.field, f.value) for f in untrusted]


def test_bare_number_headers_and_field_spans():
    block = HeaderBlock(
        [("X-MS-Exchange-Organization-SCL", " 7 "), ("X-Microsoft-Antispam", "BCL:8;PCL:5;")]
    )
    spam = antispam.read(block)
    assert (spam.scl, spam.bcl, spam.pcl) == (7, 8, 5)
    result = decoded("ms-classic-dmarc-unsigned.eml")
    text = (HEADER_SAMPLES / "ms-classic-dmarc-unsigned.eml").read_bytes().decode()
    scl = next(f for f in result.analysis.antispam.fields if f.field == "SCL")
    assert text[scl.span.start : scl.span.end] == "SCL:5"


# --- The route ------------------------------------------------------------------------------


def test_hops_oldest_first_with_delays_tls_and_the_slowest():
    path = decoded("ms-classic-delay-notice.eml").analysis.route
    assert [h.by_host for h in path.hops] == [
        "relay.example.com",
        "gw.example.net",
        "sn6pr01mb8765.namprd01.prod.outlook.com",
    ]
    assert [h.delay_seconds for h in path.hops] == [None, 7790, 10]
    first, second, third = path.hops
    assert (first.from_host, first.from_ip, first.protocol, first.encrypted) == (
        "app01.example.com",
        "203.0.113.10",
        "ESMTP",
        False,
    )
    assert (second.tls_version, second.tls_cipher, second.encrypted) == (
        "TLSv1.3",
        "TLS_AES_256_GCM_SHA384",
        True,
    )
    assert (third.protocol, third.tls_version) == ("Microsoft SMTP Server", "TLS1_2")
    assert path.total_seconds == 7800 and path.slowest.index == 2
    assert path.until_report_seconds == 7200


def test_time_zones_and_ipv6():
    path = decoded("ms-current-compauth-6xx-ipv6.eml").analysis.route
    assert [h.time for h in path.hops] == [
        "2025-02-03T09:58:05Z",
        "2025-02-03T09:58:06Z",
        "2025-02-03T09:58:07Z",
    ]
    assert path.hops[0].from_ip == "2001:db8::25"


def test_broken_dates_leave_a_hop_without_time():
    path = decoded("paste-malformed.txt").analysis.route
    assert [h.time for h in path.hops] == [None, None, None]
    assert path.total_seconds is None and path.slowest is None
    assert route.parse_date("Mon, 99 Foo 2025 99:99:99 +9999") is None
    assert route.parse_date("Mon, 3 Feb 2025 10:00:00") == route.parse_date(
        "Mon, 3 Feb 2025 10:00:00 +0000"
    )


def test_hops_are_capped():
    lines = [
        (
            "Received",
            f"from h{i}.example.net ([192.0.2.{i % 250}]) by h{i + 1}.example.net with ESMTP;"
            f" Mon, 3 Feb 2025 10:{i % 60:02d}:00 +0000",
        )
        for i in range(route.MAX_HOPS + 20)
    ]
    path = route.read(HeaderBlock(lines))
    assert len(path.hops) == route.MAX_HOPS and path.truncated


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (5, "5 s"),
        (125, "2 min"),
        (7790, "2 h 9 min"),
        (7200, "2 h"),
        (172808, "2 d"),
        (-30, "-30 s"),
    ],
)
def test_durations_in_words(seconds, words):
    assert route.duration(seconds) == words


# --- The rules ------------------------------------------------------------------------------


def test_rule_templates_use_only_facts_the_analysis_gives():
    data = verdicts.rules()
    documented = set(re.findall(r"[a-z_]+", data["_format"]["facts"])) | set(data["settings"])
    names = documented | set(data["phrases"])
    for rule in data["rules"]:
        used = set(re.findall(r"\{(\w+)\}", rule["sentence"] + rule["fix"]))
        assert used <= names, (rule["kind"], used - names)
        assert set(rule["facts"]) <= names, rule["kind"]
    for name, phrase in data["phrases"].items():
        assert phrase["fact"] in documented, name
        for template in phrase["values"].values():
            assert set(re.findall(r"\{(\w+)\}", template)) <= names, name


def test_the_matcher_operators():
    compile_ = verdicts.compile_condition
    data = verdicts.rules()

    def holds(cond, **facts):
        return compile_(cond, data)(facts, {})

    assert holds({"fact": "scl", "gte": 5}, scl=6)
    assert not holds({"fact": "scl", "gte": 5}, scl=None)
    assert not holds({"fact": "scl", "gte": 5}, scl=True)  # a boolean is no number
    assert holds({"fact": "bcl", "gte": "$bcl_threshold"}, bcl=7)
    assert holds({"fact": "status", "prefix": ["5.7.", "4.7."]}, status="4.7.1")
    assert holds({"fact": "status", "matches": r"^5\.7\.6[0-4]\d$"}, status="5.7.606")
    assert holds({"fact": "x", "present": False}, x="")
    assert holds({"not": {"fact": "x", "in": [1, 2]}}, x=3)
    assert holds({"any": [{"fact": "x", "eq": 1}, {"fact": "y", "eq": 2}]}, x=0, y=2)
    assert holds({"ref": "auth_relevant"}, is_bounce=True, reason="spam")
    with pytest.raises(ValueError):
        compile_({"fact": "x", "near": 1}, data)


def test_auth_verdicts_need_a_bounce_that_is_about_authentication():
    result = decoded("ms-classic-user-unknown.eml")
    assert result.recipients[0].reason == "user_unknown"
    assert result.analysis.verdicts == []
    assert any(r.result == "fail" for r in result.analysis.authentication if r.trusted)


# --- Privacy and safety ---------------------------------------------------------------------


def test_nothing_is_logged(caplog):
    caplog.set_level(logging.DEBUG)
    for sample in SAMPLE_FILES:
        decoded(sample.name)
    assert caplog.records == []


def test_a_broken_spf_record_is_the_first_fix_when_dmarc_fails():
    dmarc = {v.kind: v for v in decoded("ms-current-spf-permerror.eml").analysis.verdicts}
    assert dmarc["dmarc_fail"].fix.startswith("Repair the SPF record of example.com")
    unsigned = {v.kind: v for v in decoded("ms-classic-dmarc-unsigned.eml").analysis.verdicts}
    assert "Repair" not in unsigned["dmarc_fail"].fix
