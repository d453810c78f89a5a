"""Score the decoder on the shared Sisimai corpus (skipped when it is absent)."""

import importlib.util
import json

import pytest

from errorcodes.ndr import decode

from .conftest import CORPUS

pytestmark = pytest.mark.skipif(
    not (CORPUS / "expected.json").exists(), reason=f"shared corpus not found at {CORPUS}"
)


def _scorer():
    path = CORPUS.parent.parent / "tools" / "score_corpus.py"
    spec = importlib.util.spec_from_file_location("score_corpus", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_corpus_meets_the_accuracy_targets(tmp_path, capsys):
    results = tmp_path / "results.jsonl"
    with results.open("w") as out:
        for path in sorted((CORPUS / "emails").glob("*.eml")):
            data = {"file": str(path), **decode(path.read_bytes()).to_dict()}
            out.write(json.dumps(data) + "\n")
    _scorer().main([str(CORPUS / "expected.json"), str(results), "--json"])
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["missing"] == 0
    assert summary["all"]["percent"] >= 95.0
    assert summary["microsoft"]["percent"] == 100.0
    assert summary["reply"]["percent"] >= 95.0
    assert summary["hard"]["percent"] >= 90.0
