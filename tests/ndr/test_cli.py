"""The command-line front end: formats, mailboxes, exit statuses, workers, no Django, schema."""

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command

from errorcodes.ndr import cli
from errorcodes.ndr.cli import CSV_COLUMNS, csv_rows, run
from errorcodes.ndr.result import DecodeResult, Recipient
from errorcodes.ndr.schema import SCHEMA_VERSION, schema

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


# --- Mailboxes, CSV, --only hard, the Django-free command, the schema ---------------------


def python_m(
    *args: str, stdin: bytes | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess:
    """Run ``python -m errorcodes.ndr ARGS`` without Django's settings in the environment."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "errorcodes.ndr", *args],
        input=stdin,
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def mbox_of(*paths: Path) -> bytes:
    return b"".join(
        b"From MAILER-DAEMON Thu Feb  6 09:00:00 2025\n" + p.read_bytes() + b"\n" for p in paths
    )


def test_mbox_gives_one_line_per_message_with_its_index(tmp_path):
    box = tmp_path / "bounces.mbox"
    box.write_bytes(mbox_of(SAMPLES / "qmail.eml", SAMPLES / "gmail.eml"))
    out = io.StringIO()
    assert run([str(box)], "json", None, out, io.StringIO()) == 0
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(line["file"], line["message"]) for line in lines] == [(str(box), 0), (str(box), 1)]
    assert lines[0]["recipients"][0]["address"] == "frank@example.org"
    assert lines[1]["provider"] == "gmail"
    assert all(line["schema"] == SCHEMA_VERSION for line in lines)


def test_zip_members_and_folder_files_are_named(tmp_path):
    archive = tmp_path / "bounces.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(SAMPLES / "qmail.eml", "in/qmail.eml")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "gmail.eml").write_bytes((SAMPLES / "gmail.eml").read_bytes())
    out = io.StringIO()
    assert run([str(archive), str(folder)], "json", None, out, io.StringIO()) == 0
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(line["file"], line["message"]) for line in lines] == [
        (str(archive), "in/qmail.eml"),
        (str(folder / "gmail.eml"), None),
    ]


def test_stdin_mbox_is_split(monkeypatch):
    data = mbox_of(SAMPLES / "qmail.eml", SAMPLES / "postfix-multi-dsn.eml")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    out = io.StringIO()
    assert run(["-"], "json", None, out, io.StringIO()) == 0
    assert [json.loads(line)["message"] for line in out.getvalue().splitlines()] == [0, 1]


def test_csv_has_one_row_per_recipient_and_a_header():
    out = io.StringIO()
    paths = [str(SAMPLES / "postfix-multi-dsn.eml"), str(SAMPLES / "prose.txt")]
    assert run(paths, "csv", lambda *a: "entry-x", out, io.StringIO()) == 0
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == CSV_COLUMNS
    by_address = {row[2]: dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]}
    assert set(by_address) == {"alice@example.org", "carol@example.org"}  # prose.txt: none
    alice = by_address["alice@example.org"]
    assert alice["status"] == "5.1.1" and alice["hard_bounce"] == "true"
    assert alice["message"] == "" and alice["entry"] == "entry-x"
    assert by_address["carol@example.org"]["hard_bounce"] == "false"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(start):
    result = DecodeResult(
        is_bounce=True,
        provider=f"{start}provider",
        recipients=[Recipient(address=f'{start}HYPERLINK("http://x.example")@example.org')],
    )
    (row,) = csv_rows(f"{start}file.eml", result, None, f"{start}key")
    cells = dict(zip(CSV_COLUMNS, row, strict=True))
    for name in ("file", "message", "address", "provider"):
        assert cells[name].startswith("'" + start), name
    assert cells["status"] == "" and cells["permanent"] == "false"


def test_only_hard_prints_each_address_to_suppress_once(tmp_path):
    copy = tmp_path / "again.eml"
    copy.write_bytes((SAMPLES / "postfix-multi-dsn.eml").read_bytes().replace(b"alice", b"ALICE"))
    out = io.StringIO()
    paths = [str(SAMPLES / "postfix-multi-dsn.eml"), str(copy), str(SAMPLES / "qmail.eml")]
    assert run(paths, "json", None, out, io.StringIO(), only="hard") == 0
    # carol's mailbox is full: a soft bounce, kept.
    assert out.getvalue() == "alice@example.org\nfrank@example.org\n"


def test_parallel_output_is_in_input_order_and_equals_serial(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "PARALLEL_FROM", 5)
    monkeypatch.setattr(cli, "CHUNK_MESSAGES", 3)
    samples = sorted(p for p in SAMPLES.iterdir() if p.is_file())
    box = tmp_path / "all.mbox"
    box.write_bytes(mbox_of(*samples))
    paths = [str(p) for p in samples] * 3 + [str(box)]
    outputs = {}
    for jobs in (1, 3):
        for fmt in ("json", "csv", "text"):
            out = io.StringIO()
            assert run(paths, fmt, None, out, io.StringIO(), jobs=jobs) == 0
            outputs[jobs, fmt] = out.getvalue()
    for fmt in ("json", "csv", "text"):
        assert outputs[1, fmt] == outputs[3, fmt]
    files = [json.loads(line)["file"] for line in outputs[3, "json"].splitlines()]
    assert files[: 3 * len(samples)] == paths[:-1]


def record_workers(monkeypatch) -> list[int]:
    """Collect the pids of the worker processes the next run() starts."""
    pids: list[int] = []

    class Recorded(cli._Workers):
        def __init__(self, count: int) -> None:
            super().__init__(count)
            pids.extend(self.pids)

    monkeypatch.setattr(cli, "_Workers", Recorded)
    return pids


def assert_reaped(pids: list[int]) -> None:
    assert len(pids) == 2
    for pid in pids:
        with pytest.raises(ChildProcessError):  # waited for already: no zombie left
            os.waitpid(pid, os.WNOHANG)


def test_a_worker_that_dies_is_an_error_not_a_hang(monkeypatch):
    monkeypatch.setattr(cli, "PARALLEL_FROM", 2)
    monkeypatch.setattr(cli, "CHUNK_MESSAGES", 1)
    render = cli._render_chunk

    def dying(chunk):
        if chunk[0][0].endswith("qmail.eml"):
            os._exit(3)
        return render(chunk)

    monkeypatch.setattr(cli, "_render_chunk", dying)
    pids = record_workers(monkeypatch)
    paths = [str(SAMPLES / "gmail.eml"), str(SAMPLES / "qmail.eml"), str(SAMPLES / "arf.eml")]
    with pytest.raises(RuntimeError, match="worker"):
        run(paths * 2, "json", None, io.StringIO(), io.StringIO(), jobs=2)
    assert_reaped(pids)


def test_reader_gone_stops_the_workers(monkeypatch):
    monkeypatch.setattr(cli, "PARALLEL_FROM", 2)
    monkeypatch.setattr(cli, "CHUNK_MESSAGES", 1)

    class ClosedPipe(io.StringIO):
        def write(self, text):
            raise BrokenPipeError

    pids = record_workers(monkeypatch)
    paths = [str(SAMPLES / "gmail.eml")] * 20
    assert run(paths, "json", None, ClosedPipe(), io.StringIO(), jobs=2) == 1
    assert_reaped(pids)


def test_progress_bar_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    paths = [str(SAMPLES / "gmail.eml"), str(SAMPLES / "qmail.eml")]
    err = Terminal()
    run(paths, "json", None, io.StringIO(), err)
    assert "decoding" in err.getvalue()
    err = io.StringIO()
    run(paths, "json", None, io.StringIO(), err)
    assert err.getvalue() == ""


def test_command_line_without_django_and_its_exit_statuses(tmp_path):
    # The whole command line in a child: Django is never imported.
    probe = (
        "import sys\n"
        "from errorcodes.ndr.cli import main\n"
        f"code = main(['decode', '--format', 'csv', {str(SAMPLES / 'qmail.eml')!r}])\n"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)\n"
        "# What only some inputs need stays unloaded for one file (start-up time).\n"
        "heavy = {'mailbox', 'zipfile', 'tqdm', 'multiprocessing', 'extract_msg'}\n"
        "assert not heavy & set(sys.modules), heavy & set(sys.modules)\n"
        "sys.exit(code)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert "frank@example.org" in proc.stdout

    ok = python_m("decode", str(SAMPLES / "gmail.eml"))
    assert ok.returncode == 0 and json.loads(ok.stdout)["provider"] == "gmail"
    some_unreadable = python_m("decode", str(SAMPLES / "gmail.eml"), str(tmp_path / "no.eml"))
    assert some_unreadable.returncode == 1
    assert b"no.eml" in some_unreadable.stderr and some_unreadable.stdout.count(b"\n") == 1
    assert python_m("decode").returncode == 2  # no FILE
    assert python_m("decode", "--format", "xml", "x.eml").returncode == 2
    assert python_m("decode", "--only", "hard", "--format", "csv", "x.eml").returncode == 2
    piped = python_m("decode", "--only", "hard", "-", stdin=(SAMPLES / "qmail.eml").read_bytes())
    assert piped.returncode == 0 and piped.stdout == b"frank@example.org\n"


def test_schema_flag_prints_the_versioned_schema():
    proc = python_m("decode", "--schema")
    assert proc.returncode == 0
    printed = json.loads(proc.stdout)
    assert printed == schema()
    assert printed["schema_version"] == SCHEMA_VERSION
    assert printed["$id"].endswith(":" + SCHEMA_VERSION)
    assert printed["properties"]["schema"]["const"] == SCHEMA_VERSION


def test_output_of_every_sample_is_valid_against_the_schema(tmp_path):
    validator = jsonschema.Draft202012Validator(schema())
    jsonschema.Draft202012Validator.check_schema(schema())
    samples = sorted(p for p in SAMPLES.rglob("*") if p.is_file() and p.suffix != ".json")
    assert len(samples) > 100
    archive = tmp_path / "some.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in samples[:5]:
            zf.write(path, path.name)
    out = io.StringIO()
    lookup = lambda *a: "entry-slug"  # noqa: E731 - a stand-in for the directory
    run([*map(str, samples), str(archive)], "json", lookup, out, io.StringIO())
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) >= len(samples) + 5
    for line in lines:
        errors = sorted(validator.iter_errors(line), key=str)
        assert not errors, f"{line['file']} {line['message']}: {errors[0].message}"
    assert any(line["recipients"] for line in lines)
