"""The command-line front end: JSON Lines, text, stdin, unreadable files, no database."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

from errorcodes.ndr.cli import run

from .conftest import SAMPLES

ROOT = Path(__file__).resolve().parents[2]


def test_json_lines_has_one_object_per_file():
    out, err = io.StringIO(), io.StringIO()
    paths = [str(SAMPLES / "ms-classic-01.eml"), str(SAMPLES / "prose.txt")]
    assert run(paths, "json", lambda s, *evidence: "entry-" + (s or ""), out, err) == 0
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["file"] for line in lines] == paths
    assert lines[0]["recipients"][0]["entry"] == "entry-5.1.1"
    assert lines[1]["is_bounce"] is False
    assert err.getvalue() == ""


def test_text_format_gives_a_readable_diagnosis():
    out = io.StringIO()
    run([str(SAMPLES / "postfix-multi-dsn.eml")], "text", None, out, io.StringIO())
    text = out.getvalue()
    assert "Recipient: alice@example.org" in text
    assert "hard bounce: yes" in text
    assert "Mailbox full" in text


def test_unreadable_file_is_reported_and_others_still_decoded(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    missing = str(tmp_path / "nope.eml")
    code = run([missing, str(SAMPLES / "qmail.eml")], "json", None, out, err)
    assert code != 0
    assert err.getvalue().count("\n") == 1 and missing in err.getvalue()
    assert json.loads(out.getvalue())["recipients"][0]["address"] == "frank@example.org"


def test_dash_reads_standard_input(monkeypatch):
    data = (SAMPLES / "bare-smtp.txt").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    out = io.StringIO()
    assert run(["-"], "json", None, out, io.StringIO()) == 0
    assert json.loads(out.getvalue())["recipients"][0]["status"] == "5.7.606"


def test_management_command_works_without_a_migrated_database(tmp_path):
    # A fresh, empty SQLite file: the ErrorCode table does not exist.
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "decoder_site.settings",
    }
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "decode",
            "--format",
            "json",
            str(SAMPLES / "gmail.eml"),
            str(tmp_path / "missing.eml"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "missing.eml" in proc.stderr
    line = json.loads(proc.stdout)
    assert line["recipients"][0]["entry"] is None
    assert line["recipients"][0]["status"] == "5.2.1"


def test_management_command_in_process_prints_json(monkeypatch):
    # No directory: entries are null (the command's loader is stubbed out).
    monkeypatch.setattr(
        "errorcodes.management.commands.decode.EntryIndex.load", classmethod(lambda cls: None)
    )
    out = io.StringIO()
    call_command("decode", str(SAMPLES / "gmail.eml"), format="json", stdout=out)
    assert json.loads(out.getvalue())["provider"] == "gmail"


def test_text_output_gives_microsofts_meaning_of_a_microsoft_code(tmp_path):
    from errorcodes.ndr.cli import run

    bounce = tmp_path / "ms.txt"
    bounce.write_text(
        "Delivery has failed to these recipients or groups:\n\n"
        "pat@fabrikam.com\n\nDiagnostic information for administrators:\n\n"
        "Generating server: AM1PR01MB1234.eurprd01.prod.outlook.com\n\n"
        "pat@fabrikam.com\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; "
        "Recipient not found by SMTP address lookup'\n"
    )
    out, err = io.StringIO(), io.StringIO()
    run([str(bounce)], "text", None, out, err)
    assert "Status: 5.1.10 - Recipient not found" in out.getvalue()
    assert "Recipient domain has a null MX" not in out.getvalue()
