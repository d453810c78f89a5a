"""The decoder page: paste or upload a bounce, read the diagnosis."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "ndr" / "samples"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8", errors="replace")


def post(client, **data):
    return client.post("/decode/", data)


def test_form_page_explains_what_to_paste_and_promises_privacy(client):
    page = client.get("/decode/").content.decode()
    assert '<form method="post" enctype="multipart/form-data"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "never stored, cached or logged" in page
    assert "Show original" in page  # how to get the raw message out of Gmail
    assert "View message source" in page  # Outlook on the web
    assert 'accept=".eml,.msg,.txt,.mbox,.zip' in page


def test_microsoft_current_layout_is_explained_with_the_directory_fix(client):
    response = post(client, text=sample("ms-current-01.eml"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "A bounce from <strong>Microsoft 365 (Exchange Online)</strong>" in page
    assert "bob@contoso.com" in page
    assert '<span class="status">5.1.10</span>' in page
    assert "RESOLVER.ADR.RecipientNotFound" in page
    assert "Don&#x27;t retry: the address itself is bad." in page
    assert "How to fix it" in page
    assert 'href="/codes/' in page
    assert "Message hops" in page
    assert "120 s" in page  # the delay of the second hop


def test_classic_layout_names_the_recipient_and_links_its_entry(client):
    page = post(client, text=sample("ms-classic-01.eml")).content.decode()
    assert "jane.doe@contoso.com" in page
    assert '<span class="reply">550</span> <span class="status">5.1.1</span>' in page
    assert 'href="/codes/5-1-1/"' in page


def test_every_recipient_of_a_multi_recipient_bounce_gets_its_own_diagnosis(client):
    page = post(client, text=sample("postfix-multi-dsn.eml")).content.decode()
    assert "2 recipients were not delivered, for 2 different reasons." in page
    assert page.count('<article class="recipient"') == 2
    assert "alice@example.org" in page and "carol@example.org" in page
    assert 'href="/codes/5-1-1/"' in page and 'href="/codes/5-2-2/"' in page


def many_recipients(count: int, unique_reasons: bool = False) -> str:
    fields = "".join(
        f"\nFinal-Recipient: rfc822; user{n}@example.com\nAction: failed\nStatus: 5.1.1\n"
        + (f"Diagnostic-Code: smtp; 550 5.1.1 reason number {n}\n" if unique_reasons else "")
        for n in range(count)
    )
    return (
        "From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered Mail\nMIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n"
        "--B\nContent-Type: text/plain\n\nDelivery failed.\n\n"
        "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n"
        f"{fields}\n--B--\n"
    )


def test_thousands_of_recipients_with_one_cause_get_one_explanation(client):
    page = post(client, text=many_recipients(3000)).content.decode()
    report = page[page.index('<section class="report"') : page.index('<section class="handover"')]
    assert "3000 recipients were not delivered." in report
    assert report.count('<article class="recipient"') == 1
    assert "To <strong>3000 recipients</strong>: user0@example.com, user1@example.com" in report
    assert "user49@example.com and 2950 more" in report
    assert "user50@example.com" not in report
    assert len(report) < 30_000
    # Every bad address is in the block to copy for suppression lists, once.
    handover = page[page.index('<section class="handover"') : page.index("</section>")]
    assert handover.count("@example.com\n") == 3000


def test_a_page_explains_at_most_25_causes(client):
    page = post(client, text=many_recipients(300, unique_reasons=True)).content.decode()
    assert page.count('<article class="recipient"') == 25
    assert "275 more are left out" in page


def test_the_api_lists_at_most_1000_recipients_and_says_so(client):
    response = client.post("/api/decode", many_recipients(1500), content_type="message/rfc822")
    data = response.json()
    assert len(data["recipients"]) == 1000
    assert data["recipients_total"] == 1500 and data["truncated"] is True
    small = client.post("/api/decode", "550 5.1.1 unknown", content_type="text/plain").json()
    assert small["truncated"] is False and small["recipients_total"] == 1


def test_a_code_without_an_entry_gets_its_standard_meaning(client):
    page = post(client, text="451 4.3.0 Other or undefined mail system status").content.decode()
    assert "Generic explanation" in page
    assert "No Microsoft-specific entry in the directory covers this code" in page
    assert "Temporary failure" in page


def test_a_log_line_is_decoded(client):
    page = post(client, text=sample("postfix-log.txt")).content.decode()
    assert "judy@example.org" in page
    assert '<span class="status">5.7.509</span>' in page


def test_upload_of_a_saved_bounce(client):
    upload = SimpleUploadedFile("bounce.eml", (SAMPLES / "ms-classic-01.eml").read_bytes())
    response = client.post("/decode/", {"file": upload})
    assert response.status_code == 200
    assert "jane.doe@contoso.com" in response.content.decode()


def test_something_that_is_not_a_bounce_says_so(client):
    page = post(client, text=sample("prose.txt")).content.decode()
    assert "This does not look like a bounce." in page
    assert "Diagnostic information for administrators" in page
    assert '<article class="recipient"' not in page


def test_empty_input_is_a_form_error(client):
    response = post(client, text="   ")
    assert response.status_code == 400
    assert "Paste a bounce message or an SMTP error line" in response.content.decode()


def test_oversized_paste_is_refused_with_413_and_keeps_the_text(client, settings, caplog):
    settings.DECODER_MAX_BYTES = 1000
    text = "550 5.1.1 unknown user " * 100  # 2,300 bytes
    response = post(client, text=text)
    assert response.status_code == 413
    page = response.content.decode()
    assert (
        "That is 2.2\xa0KB (2,300 bytes); the decoder reads bounces of up to 1000\xa0bytes" in page
    )
    assert "send only the report part" in page
    # The box keeps the text up to the limit, to decode that part or trim it.
    box = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1)
    assert box.strip() == text[:1000].strip()
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_a_paste_over_what_the_form_reads_still_gets_a_clear_413_in_the_form(settings):
    from django.test import Client

    settings.DECODER_MAX_BYTES = 1000
    settings.DECODER_READ_MAX_BYTES = 2000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 3000  # what CSRF may read before the view
    strict = Client(enforce_csrf_checks=True)
    form = strict.get("/decode/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = strict.post("/decode/", {"csrfmiddlewaretoken": token, "text": "x" * 2500})
    assert response.status_code == 413
    assert "the decoder reads bounces of up to" in response.content.decode()


def test_an_upload_with_a_large_attached_original_is_cut_down_to_the_report(client, settings):
    settings.DECODER_MAX_BYTES = 20_000
    attachment = "QUJD" * 20_000  # 80 KB of base64: the original's attachment
    bounce = (
        "From: MAILER-DAEMON@mx.example.net\nTo: sender@example.com\n"
        "Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nThe mail system could not deliver your message.\n\n"
        "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
        "Final-Recipient: rfc822; alice@example.org\nAction: failed\nStatus: 5.1.1\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <alice@example.org>: User unknown\n\n"
        "--B\nContent-Type: message/rfc822\n\nFrom: sender@example.com\nTo: alice@example.org\n"
        'Subject: Photos\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="I"\n\n'
        "--I\nContent-Type: image/jpeg\nContent-Transfer-Encoding: base64\n\n"
        f"{attachment}\n--I--\n\n--B--\n"
    )
    upload = SimpleUploadedFile("bounce.eml", bounce.encode(), "message/rfc822")
    response = client.post("/decode/", {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 recipient was not delivered" in page and "alice@example.org" in page
    assert "was left out: only its headers are needed" in page
    too_big = SimpleUploadedFile("big.eml", b"550 5.1.1 unknown\n" * 2000, "message/rfc822")
    refused = client.post("/decode/", {"file": too_big})
    assert refused.status_code == 413
    assert "(36,000 bytes)" in refused.content.decode()


def test_oversized_body_is_refused_before_it_is_read(client, settings):
    settings.DECODER_MAX_BYTES = 1000
    response = client.generic(
        "POST",
        "/decode/",
        b"x" * 10,
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(10_000_000),
    )
    assert response.status_code == 413


def test_binary_garbage_is_answered_calmly(client):
    upload = SimpleUploadedFile("noise.bin", bytes(range(256)) * 40)
    response = client.post("/decode/", {"file": upload})
    assert response.status_code == 200
    assert "This does not look like a bounce." in response.content.decode()


def test_hostile_html_in_a_paste_is_shown_as_text(client):
    hostile = (
        "550 5.1.1 <script>alert('x')</script> <img src=x onerror=alert(1)> "
        "user unknown\nFinal-Recipient: rfc822; <b>evil</b>@example.com"
    )
    page = post(client, text=hostile).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_code_pages_link_to_the_decoder_prefilled_with_their_example(client):
    page = client.get("/codes/5-4-1/").content.decode()
    assert 'href="/decode/?example=5-4-1"' in page
    prefilled = client.get("/decode/?example=5-4-1").content.decode()
    assert "Recipient address rejected: Access denied" in prefilled


def test_the_form_requires_csrf(client):
    csrf_client = type(client)(enforce_csrf_checks=True)
    response = csrf_client.post("/decode/", {"text": "550 5.1.1 user unknown"})
    assert response.status_code == 403


def test_too_many_decodes_get_429(client, settings):
    settings.DECODER_RATE_LIMIT = "2/h"  # hourly: no window boundary mid-test
    for _ in range(2):
        assert post(client, text="550 5.1.1 user unknown").status_code == 200
    response = post(client, text="550 5.1.1 user unknown")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "You have decoded a lot of bounces in a short time" in page
    assert "550 5.1.1 user unknown</textarea>" in page  # the text is kept


def test_nothing_pasted_reaches_the_logs(client, caplog):
    caplog.set_level("DEBUG")
    secret = "unique.person.4711@contoso.com"
    post(client, text=f"Final-Recipient: rfc822; {secret}\nStatus: 5.1.1\n")
    client.generic(
        "POST", "/api/decode", f"550 5.1.1 <{secret}> unknown", content_type="text/plain"
    )
    post(client, text="")  # an error path too
    assert secret not in caplog.text


def test_the_page_quotes_the_words_each_verdict_rests_on(client):
    text = (
        "<pat@example.org>: host mx.example.org[192.0.2.1] said: 550 5.7.1\n"
        "    Nonexistent user <script>alert(1)</script> (in reply to RCPT TO command)\n"
    )
    page = post(client, text=text).content.decode()
    assert "Read from your text" in page
    assert "<mark>550 5.7.1</mark>" in page
    assert "The bad address: <q>" in page and "<mark>Nonexistent</mark>" in page
    assert "<script>alert(1)</script>" not in page  # everything echoed is escaped
    assert "&lt;script&gt;" in page
    assert "<strong>The mailbox does not exist" in page


def test_a_delay_warning_says_the_message_is_still_on_its_way(client):
    text = (
        "This is the mail system at host out.example.net.\n\n"
        "####################################################################\n"
        "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n"
        "####################################################################\n\n"
        "<ann@example.org>: connect to mx.example.org[192.0.2.1]:25: Connection refused\n"
    )
    page = post(client, text=text).content.decode()
    assert "Temporary failure, still being retried" in page
    assert "the message may still arrive" in page


def test_a_reply_without_enhanced_code_is_explained_by_its_words(client):
    page = post(
        client, text="<ann@example.org>: host mx said: 550 No such user here"
    ).content.decode()
    assert "5.0.0 records the class of the reply code 550" in page
    # The directory entry is found by what the words mean, not by the bare class.
    assert 'href="/codes/5-1-1/"' in page


QUEUE_EXPIRED = """Delivery has failed to these recipients or groups:

ann@fabrikam.example
The server has tried to deliver this message, without success, and has stopped trying.

Diagnostic information for administrators:

Generating server: AM0PR01MB1234.eurprd01.prod.exchangelabs.com

ann@fabrikam.example
Remote Server returned '550 4.4.7 QUEUE.Expired; message expired [LastError: 441 4.4.1 Error \
encountered while communicating with primary target IP address: "Failed to connect. Winsock \
error code: 10060"]'
"""


def test_an_expired_message_is_final_and_names_the_last_attempts_error(client):
    page = post(client, text=QUEUE_EXPIRED).content.decode()
    assert '<span class="status">4.4.7</span>' in page  # the code's class stays 4
    assert "Temporary failure, given up" in page
    assert "this message will not arrive" in page
    assert "Root cause" in page and "441 4.4.1 Error encountered while communicating" in page
    assert "keeps retrying on its own" not in page  # no contradicting advice
    assert 'href="/codes/4-4-7/"' in page
    assert '<a href="/codes/4-4-1/">What 4.4.1 means:' in page  # the root cause's own page


def test_a_long_root_cause_ends_on_a_full_sentence(client):
    text = (
        "Remote Server returned '550 4.4.7 QUEUE.Expired; message expired -> 451 4.4.1 Error "
        'encountered while communicating with primary target IP address: "Failed to connect. '
        'Winsock error code: 10060, Win32 error code: 10060." Attempted failover to alternate '
        "host, but that did not succeed. Either there are no alternate hosts, or delivery failed "
        "to all alternate hosts. The last endpoint attempted was 203.0.113.7:25'"
    )
    page = post(client, text=text).content.decode()
    assert "delivery failed to all alternate hosts.</code>" in page


def test_the_exception_chooses_the_entry_when_the_status_alone_is_ambiguous(client):
    text = (
        "Remote Server returned '550 5.7.13 STOREDRV.Deliver.Exception:AccountDisabledException."
        "MapiExceptionADUserDisabled; Failed to process message due to a permanent exception'"
    )
    page = post(client, text=text).content.decode()
    assert 'href="/codes/5-2-1/"' in page  # the disabled account, not the public folder
    assert 'href="/codes/5-7-13/"' not in page


def test_the_reply_code_is_read_in_the_context_of_the_rejection(client):
    text = (
        "550 5.7.1 Service unavailable, Client host [192.0.2.9] blocked using Spamhaus. To request "
        "removal from this list see https://www.spamhaus.org/query/ip/192.0.2.9 AS(1450)"
    )
    page = post(client, text=text).content.decode()
    assert "550: the receiving server refused the message for good" in page
    assert "mailbox not found" not in page.lower()


def test_the_ip_and_block_list_the_bounce_names_come_with_their_steps(client):
    spamhaus = post(
        client,
        text="550 5.7.1 Service unavailable, Client host [192.0.2.9] blocked using Spamhaus."
        " AS(1450)",
    ).content.decode()
    assert "Your sending IP 192.0.2.9" in spamhaus
    assert "Look up 192.0.2.9 on Spamhaus" in spamhaus
    assert 'href="https://check.spamhaus.org/"' in spamhaus
    banned = post(
        client, text="550 5.7.606 Access denied, banned sending IP [198.51.100.23]. AS(16012609)"
    ).content.decode()
    assert "Your sending IP 198.51.100.23" in banned
    assert "sender.office.com" in banned


def test_the_answer_comes_first_what_happened_arrival_who_and_the_first_step(client):
    page = post(client, text=sample("ms-classic-01.eml")).content.decode()
    card = page[page.index('<article class="recipient"') :]
    answer = card[card.index('<div class="answer">') : card.index('<dl class="facts">')]
    assert "Will it arrive?" in answer and "Who has to act" in answer
    assert '<div class="first-step"><dt>Do this first</dt>' in answer
    assert '<span class="audience">If you sent the message:</span>' in answer
    # The answer comes before the details and the full fix.
    assert card.index('<div class="answer">') < card.index('<dl class="facts">')
    assert card.index('<div class="answer">') < card.index("<h4>How to fix it</h4>")


def test_the_diagnosis_is_handed_on_as_plain_text_and_bad_addresses_as_a_list(client):
    page = post(client, text=sample("postfix-multi-dsn.eml")).content.decode()
    text = re.search(r'<pre id="diagnosis-text"[^>]*>(.*?)</pre>', page, re.S).group(1)
    assert "To: alice@example.org" in text and "Who has to act:" in text
    assert "First step (if you sent the message):" in text
    assert "Full fix: http://testserver/codes/5-1-1/" in text
    assert "<" not in text.replace("&lt;", "")  # plain text, escaped
    bad = re.search(r'<pre id="bad-addresses"[^>]*>(.*?)</pre>', page, re.S).group(1)
    assert bad.split() == ["alice@example.org"]  # carol's mailbox is full: not a bad address
    assert 'data-copy="diagnosis-text"' in page and 'data-copy="bad-addresses"' in page


def test_the_results_download_as_csv_made_from_the_post_and_kept_nowhere(client):
    text = sample("postfix-multi-dsn.eml") + "\n"
    response = client.post("/decode/csv/", {"text": text})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert 'filename="bounce-recipients.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["address", "original_address", "action", "status"]
    by_address = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_address["alice@example.org"]["hard_bounce"] == "true"
    assert by_address["alice@example.org"]["entry"] == "5-1-1"
    assert by_address["carol@example.org"]["status"] == "5.2.2"
    assert client.get("/decode/csv/").status_code == 405


def test_a_csv_cell_never_starts_a_spreadsheet_formula(client):
    response = client.post(
        "/decode/csv/",
        {"text": '550 5.1.1 <=HYPERLINK("http://evil.example")@example.com> unknown'},
    )
    for row in csv.reader(io.StringIO(response.content.decode())):
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


def test_hops_carry_labels_for_the_phone_layout(client):
    page = post(client, text=sample("ms-current-01.eml")).content.decode()
    assert '<td data-label="From">' in page and '<td data-label="With">' in page


def test_a_200_recipient_bounce_is_a_small_page(client):
    causes = "".join(
        f"\nFinal-Recipient: rfc822; user{n}@example.com\nAction: failed\n"
        f"Status: {('5.1.1', '5.2.2', '4.4.7', '5.7.1')[n % 4]}\n"
        for n in range(200)
    )
    text = many_recipients(0).replace(
        "Reporting-MTA: dns; mx.example.net\n", "Reporting-MTA: dns; mx.example.net\n" + causes
    )
    page = post(client, text=text).content.decode()
    assert "200 recipients were not delivered, for 4 different reasons." in page
    assert page.count('<article class="recipient"') == 4
    report = page[
        page.index('<section class="report"') : page.index(
            '<section aria-labelledby="form-heading"'
        )
    ]
    assert len(report.encode()) <= 60_000


HEADERS = SAMPLES / "headers"


def test_why_it_bounced_comes_from_the_original_headers(client):
    page = post(
        client, text=(HEADERS / "ms-classic-dmarc-unsigned.eml").read_text()
    ).content.decode()
    why = page[
        page.index('<section class="why"') : page.index(
            "</section>", page.index('<section class="why"')
        )
    ]
    assert "Why it bounced: what the original message" in why
    assert "DMARC failed for example.com" in why
    assert "<strong>Fix:</strong>" in why
    assert "<code>198.51.100.7</code>" in why and "https://sender.office.com/" in why
    assert "_dmarc.<wbr>example.<wbr>com" in why  # the record to publish
    assert "more findings in the headers" in why  # past the first two
    # The answer and its first step still come first.
    card = page[page.index('<article class="recipient"') :]
    assert card.index('<div class="answer">') < card.index('<section class="why"')


def test_a_route_is_drawn_and_told_in_a_table(client):
    page = post(client, text=(HEADERS / "paste-slow-gateway.txt").read_text()).content.decode()
    assert "these are the headers of a message" in page
    assert '<svg class="route-chart"' in page and 'role="img"' in page
    assert "3 h 14 min" in page  # the hop that held the message
    assert "<caption>The route, hop by hop (oldest first)</caption>" in page
    assert "<script" not in page.split('<svg class="route-chart"', 1)[1].split("</svg>")[0]


def test_the_api_gives_the_analysis(client):
    body = (HEADERS / "ms-classic-dmarc-unsigned.eml").read_bytes()
    data = client.post("/api/decode", body, content_type="message/rfc822").json()
    analysis = data["analysis"]
    assert analysis["source"] == "original headers"
    assert analysis["alignment"]["aligned_pass"] is False
    assert analysis["verdicts"][0]["kind"] == "dmarc_fail"


def test_a_part_the_headers_do_not_state_reads_not_stated(client):
    page = post(client, text=(HEADERS / "ms-classic-expired.eml").read_text()).content.decode()
    read = page[page.index("<summary>The headers, read</summary>") :]
    assert "<code></code>" not in read  # dkim=none names no domain
    assert '<td data-label="For">not stated</td>' in read
