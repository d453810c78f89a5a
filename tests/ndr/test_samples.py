"""One row per sample bounce written for these tests: what the decoder must find."""

import pytest

from errorcodes.ndr import classify, decode

from .conftest import SAMPLES

# file, provider, [(address, status, reply, hard, component, exception, antispam)], layout
ROWS = [
    (
        "ms-classic-01.eml",
        "exchange",
        [
            (
                "jane.doe@contoso.com",
                "5.1.1",
                "550",
                True,
                "RESOLVER",
                "RESOLVER.ADR.ExRecipNotFound",
                None,
            )
        ],
        "microsoft_classic",
    ),
    (
        "ms-current-01.eml",
        "microsoft365",
        [
            (
                "bob@contoso.com",
                "5.1.10",
                "550",
                True,
                "RESOLVER",
                "RESOLVER.ADR.RecipientNotFound",
                None,
            )
        ],
        "microsoft_current",
    ),
    (
        "ms-current-de.txt",
        "microsoft365",
        [
            (
                "klaus@contoso.com",
                "5.2.2",
                "550",
                False,
                "STOREDRV",
                "STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded",
                None,
            )
        ],
        "microsoft_current",
    ),
    (
        "ms-classic-fr.txt",
        "microsoft365",
        [
            (
                "marie@contoso.com",
                "5.7.1",
                "550",
                False,
                "TRANSPORT.RULES",
                "TRANSPORT.RULES.RejectMessage",
                None,
            )
        ],
        "microsoft_classic",
    ),
    (
        "ms-classic-ja.txt",
        "microsoft365",
        [
            (
                "taro@contoso.com",
                "5.1.10",
                "550",
                True,
                "RESOLVER",
                "RESOLVER.ADR.RecipientNotFound",
                None,
            )
        ],
        "microsoft_classic",
    ),
    (
        "postfix-multi-dsn.eml",
        "postfix",
        [
            ("alice@example.org", "5.1.1", "550", True, None, None, None),
            ("carol@example.org", "5.2.2", "552", False, None, None, None),
        ],
        "dsn",
    ),
    (
        "base64-report.eml",
        None,
        [("dave@example.org", "5.7.1", "550", False, None, None, None)],
        "dsn",
    ),
    (
        "broken-mime.eml",
        None,
        [("ivan@example.org", "5.1.1", "550", True, None, None, None)],
        "dsn",
    ),
    (
        "exim-qp.eml",
        "exim",
        [("j\u00fcrgen@example.org", "5.1.1", "550", True, None, None, None)],
        "generic_mta",
    ),
    (
        "iso2022jp.eml",
        None,
        [("hanako@example.jp", "5.2.2", "550", False, None, None, None)],
        "generic_mta",
    ),
    (
        "sendmail-cr.eml",
        "sendmail",
        [("erin@example.org", "5.1.1", "550", True, None, None, None)],
        "generic_mta",
    ),
    (
        "mbox-sendmail.mbox",
        "sendmail",
        [("erin@example.org", "5.1.1", "550", True, None, None, None)],
        "generic_mta",
    ),
    (
        "qmail.eml",
        "qmail",
        [("frank@example.org", "5.1.1", "550", True, None, None, None)],
        "generic_mta",
    ),
    (
        "gmail.eml",
        "gmail",
        [("grace@example.org", "5.2.1", "550", False, None, None, None)],
        "generic_mta",
    ),
    (
        "amazonses.eml",
        "amazonses",
        [("heidi@example.org", "5.1.1", "550", True, None, None, None)],
        "amazonses_json",
    ),
    (
        "bare-smtp.txt",
        # Only Microsoft 365 points rejected senders at its delist portal.
        "microsoft365",
        [(None, "5.7.606", "550", False, None, None, "AS16012609")],
        "smtp_line",
    ),
    (
        "postfix-log.txt",
        "postfix",
        [("judy@example.org", "5.7.509", "550", False, None, None, None)],
        "smtp_line",
    ),
    (
        "exim-log.txt",
        None,
        [("ken@example.org", "5.1.1", "550", True, None, None, None)],
        "smtp_line",
    ),
    (
        "sendmail-log.txt",
        None,
        [("leo@example.org", "5.2.2", None, False, None, None, None)],
        "smtp_line",
    ),
    (
        "library-exception.txt",
        None,
        [(None, "5.7.57", "535", False, None, None, None)],
        "smtp_line",
    ),
    (
        "dsn-fields.txt",
        "microsoft365",
        [("mallory@example.org", "5.4.1", "550", True, None, None, "AS(201806281)")],
        "dsn",
    ),
    # Broken MIME: the header's boundary differs from the body's by a character.
    (
        "postfix-bad-boundary.eml",
        "postfix",
        [("oscar@example.org", "4.7.0", "421", False, None, None, None)],
        "dsn",
    ),
    # IMail: the reason comes before the address on its line.
    (
        "imail-reason-first.eml",
        None,
        [("peggy@example.org", "5.1.1", None, True, None, None, None)],
        "generic_mta",
    ),
    # "Unknown user" after DATA is a filter's answer, not a bad address; the
    # "please contact <support@...>" address is not a recipient.
    (
        "postfix-data-filter.eml",
        "postfix",
        [("quinn@example.jp", "5.0.0", "550", False, None, None, None)],
        "generic_mta",
    ),
    ("autoreply.eml", None, [], None),
    ("arf.eml", None, [], None),
    ("prose.txt", None, [], None),
    # "-------SMTP command" / "DATA" block: a "No such user" after DATA is the
    # recipient's filter speaking, the address was accepted.
    (
        "smtp-command-block.txt",
        None,
        [("pat@example.com", "5.0.0", "550", False, None, None, None)],
        "generic_mta",
    ),
    # cPanel's Exim wording for an unrouteable address: the domain is bad.
    (
        "exim-cpanel-unrouteable.txt",
        "exim",
        [("lee@example.org", "5.1.2", None, True, None, None, None)],
        "generic_mta",
    ),
    # A group that "may not exist, or you may not have permission": not an address verdict.
    (
        "group-no-permission.eml",
        None,
        [("team-list@example.com", "5.7.1", None, False, None, None, None)],
        "headers",
    ),
    (
        "group-no-permission-fr.eml",
        None,
        [("team-list@example.com", "5.7.1", None, False, None, None, None)],
        "headers",
    ),
    # The local delivery program failed (procmail): the mailer, not the address.
    (
        "postfix-local-mailer.eml",
        "postfix",
        [("kim@mx.example.net", "5.1.1", None, False, None, None, None)],
        "dsn",
    ),
    # A gateway's codeless notice with the first bounce attached: the attached one decides.
    (
        "forwarded-bounce.eml",
        None,
        [("robin@example.org", "5.1.1", "550", True, None, None, None)],
        "dsn",
    ),
    # A gateway's plain-text notice with the whole bounce quoted inline (mbox line,
    # headers, report): the quoted bounce's report is read.
    (
        "forwarded-bounce-inline.eml",
        "postfix",
        [("quinn@example.org", "4.0.0", "421", False, None, None, None)],
        "dsn",
    ),
    # A session transcript: the failure after DATA is the diagnostic, not the
    # "250 2.1.5 Ok" that accepted the recipient, and it ends at the client's QUIT.
    (
        "postfix-session-transcript.eml",
        "postfix",
        [("morgan@example.net", "4.3.1", "452", False, None, None, None)],
        "generic_mta",
    ),
    # An earlier host's "450 busy - please try later" in the transcript does not
    # soften the final "551 not our user" (5.1.6, moved).
    (
        "sendmail-two-hosts.eml",
        "sendmail",
        [("max@example.net", "5.1.6", "551", True, None, None, None)],
        "dsn",
    ),
]


@pytest.mark.parametrize(("name", "provider", "expected", "layout"), ROWS, ids=[r[0] for r in ROWS])
def test_sample_decodes_to_expected_recipients(name, provider, expected, layout):
    result = decode((SAMPLES / name).read_bytes())
    assert result.is_bounce is bool(expected)
    assert result.layout == layout
    if provider:
        assert result.provider == provider
    got = [
        (
            r.address,
            r.status,
            r.reply_code,
            r.hard_bounce,
            r.component,
            r.exception,
            r.antispam_rule,
        )
        for r in result.recipients
    ]
    assert got == expected
    for rcpt in result.recipients:
        # Invariants shared by every decoded recipient.
        assert rcpt.permanent is (rcpt.status[0] == "5")
        assert not (rcpt.hard_bounce and not rcpt.permanent)
        assert rcpt.diagnostic


def test_outlook_com_block_list_rule_is_found():
    result = decode(
        "550 5.7.1 Unfortunately, messages from [192.0.2.7] weren't sent. "
        "Please contact your Internet service provider. (S3150) [AM1EUR02FT001.eop]"
    )
    assert result.recipients[0].antispam_rule == "S3150"


def test_current_layout_reads_message_hops():
    result = decode((SAMPLES / "ms-current-01.eml").read_bytes())
    assert [(h.index, h.from_server, h.delay_seconds) for h in result.hops] == [
        (1, "mail.example.com", 1),
        (2, "AM0PR01MB1234.eurprd01.prod.exchangelabs.com", 120),
    ]
    assert result.hops[0].with_protocol.startswith("Microsoft SMTP Server")
    assert result.reporting_mta == "am0pr01mb1234.eurprd01.prod.exchangelabs.com"


def test_original_message_headers_are_reported():
    result = decode((SAMPLES / "postfix-multi-dsn.eml").read_bytes())
    assert result.original.subject == "Team lunch"
    assert result.original.message_id == "<lunch-1@example.com>"
    assert result.to_dict()["original"]["from"] == "Sender <sender@example.com>"


def test_reply_without_enhanced_code_is_recorded_as_x00_with_the_words_as_reason():
    # Postfix and Exim record a reply without an enhanced code as X.0.0; the
    # words still say what happened, and decide the hard bounce.
    result = decode(
        "<pat@example.org>: host mx.example.org[192.0.2.1] said: 550 User unknown\n"
        "This is a permanent error; I could not be delivered."
    )
    rcpt = result.recipients[0]
    assert (rcpt.status, rcpt.status_inferred, rcpt.hard_bounce) == ("5.0.0", True, True)
    assert rcpt.reason == "user_unknown"
    assert rcpt.evidence["status"].basis == "reply code"
    assert rcpt.evidence["hard_bounce"].text == "User unknown"


def test_sendmail_records_a_reply_without_enhanced_code_by_its_own_table():
    # sendmail's smtptodsn(): 551 is 5.1.6, 550 is 5.2.0.
    result = decode(
        "   ----- The following addresses had permanent fatal errors -----\n"
        "<max@example.net>\n    (reason: 551 not our user)\n\n"
        "   ----- Transcript of session follows -----\n"
        "... while talking to mx.example.net.:\n>>> RCPT To:<max@example.net>\n"
        "<<< 551 not our user\n"
    )
    assert [(r.status, r.reply_code) for r in result.recipients] == [("5.1.6", "551")]


def test_the_reporting_mtas_own_words_give_the_code_they_mean():
    result = decode(
        "<ann@example.org>: connect to mx.example.org[192.0.2.1]:25: Connection refused\n"
    )
    rcpt = result.recipients[0]
    assert (rcpt.status, rcpt.status_inferred, rcpt.reason) == ("4.4.1", True, "network")
    assert rcpt.evidence["status"].text == "Connection refused"


def test_str_and_bytes_inputs_agree():
    raw = (SAMPLES / "ms-classic-01.eml").read_bytes()
    assert decode(raw).to_dict() == decode(raw.decode()).to_dict()


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("    >>> RCPT TO:<pat@example.com>\n    <<< 550 User unknown", "RCPT"),
        ("-------server message\n550 No such user\n\n-------SMTP command\nDATA\n", "DATA"),
        ("SMTP command: RCPT\n550 unknown user", "RCPT"),
        ("said: 550 User unknown (in reply to end of DATA command)", "DATA"),
    ],
)
def test_smtp_command_is_read_from_transcripts_and_labels(text, command):
    assert classify.smtp_command(text) == command


def test_transcript_diagnostic_is_the_failure_reply_alone():
    result = decode((SAMPLES / "postfix-session-transcript.eml").read_bytes())
    assert result.recipients[0].diagnostic == "Out: 452 4.3.1 Insufficient system storage"
