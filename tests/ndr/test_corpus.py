"""Score the decoder on the shared Sisimai corpus (skipped when it is absent).

Whole messages, and the same bounces as a person pastes them: the first text
part only (``../shared/tools/body_only.py``), and that part followed by the
delivery-status fields, as mail programs that show the report inline display
them.  Some labels cannot be recovered from the first part alone (a report
whose human part names no code), hence the lower bar there.
"""

import importlib.util
import json

import pytest

from errorcodes.ndr import decode

from .conftest import CORPUS

pytestmark = pytest.mark.skipif(
    not (CORPUS / "expected.json").exists(), reason=f"shared corpus not found at {CORPUS}"
)
TOOLS = CORPUS.parent.parent / "tools"


def _tool(name):
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _score(tmp_path, capsys, inputs: dict[str, bytes | str]) -> dict:
    expected = json.loads((CORPUS / "expected.json").read_text())
    results = tmp_path / "results.jsonl"
    with results.open("w") as out:
        for name, data in inputs.items():
            out.write(json.dumps({"file": name, **decode(data).to_dict()}) + "\n")
    _tool("score_corpus").main([str(CORPUS / "expected.json"), str(results), "--json"])
    assert len(inputs) == len(expected)
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def _messages() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((CORPUS / "emails").glob("*.eml"))}


def test_corpus_meets_the_accuracy_targets(tmp_path, capsys):
    summary = _score(tmp_path, capsys, _messages())
    assert summary["missing"] == 0
    assert summary["all"]["percent"] >= 99.0
    assert summary["microsoft"]["percent"] == 100.0
    assert summary["reply"]["percent"] >= 98.7
    assert summary["hard"]["percent"] >= 97.6
    assert summary["notbounce"]["percent"] == 100.0


@pytest.mark.parametrize(
    ("with_status", "status", "reply", "hard"),
    [(False, 83.0, 82.0, 81.0), (True, 95.0, 96.0, 93.0)],
    ids=["first text part", "first text part and status fields"],
)
def test_the_same_bounces_pasted_as_text(tmp_path, capsys, with_status, status, reply, hard):
    visible = _tool("body_only").visible_text
    pasted = {name: visible(raw, with_status) for name, raw in _messages().items()}
    summary = _score(tmp_path, capsys, pasted)
    assert summary["all"]["percent"] >= status
    assert summary["reply"]["percent"] >= reply
    assert summary["hard"]["percent"] >= hard
    assert summary["notbounce"]["percent"] == 100.0


def test_pasted_text_names_the_addresses_the_whole_message_names():
    visible = _tool("body_only").visible_text
    missed, total = [], 0
    for name, raw in _messages().items():
        whole = decode(raw)
        want = {r.address for r in whole.recipients if r.address}
        if not (whole.is_bounce and want):
            continue
        total += 1
        got = {r.address for r in decode(visible(raw, False)).recipients}
        if not want <= got:
            missed.append(name)
    # The rest name their recipient only in the delivery-status part or the
    # attached original, which the first text part does not hold.
    assert total - len(missed) >= 0.89 * total, missed
