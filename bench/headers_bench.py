"""What the header analysis (errorcodes/ndr/headers/) adds to decode() (not a test).

usage: python bench/headers_bench.py [CORPUS_DIR] [--repeat 5] [--rounds 7]

Decodes every message of the corpus (default: the shared Sisimai corpus beside
the repository) with the analysis on and off (the internal switch
``headers.analysis.ENABLED``), in alternating rounds so that load from
elsewhere hits both alike, and prints the median per-message time of each and
the difference.  The target (issue 15): under 0.3 ms per message.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from errorcodes.ndr import decode  # noqa: E402
from errorcodes.ndr.headers import analysis  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "sisimai"
TARGET_MS = 0.3


def corpus_blobs(directory: Path) -> list[bytes]:
    base = directory / "emails" if (directory / "emails").is_dir() else directory
    return [
        p.read_bytes()
        for p in sorted(base.iterdir())
        if p.is_file() and p.suffix in (".eml", ".txt", ".mbox")
    ]


def per_message_ms(blobs: list[bytes], repeat: int, enabled: bool) -> float:
    """Milliseconds per decode() over ``blobs``, ``repeat`` times, analysis on or off."""
    analysis.ENABLED = enabled
    try:
        start = time.perf_counter()
        for _ in range(repeat):
            for blob in blobs:
                decode(blob)
        return (time.perf_counter() - start) * 1000 / (len(blobs) * repeat)
    finally:
        analysis.ENABLED = True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=5, help="passes over the corpus per round")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds (median kept)")
    args = parser.parse_args(argv)
    blobs = corpus_blobs(args.corpus)
    if not blobs:
        print(f"no messages in {args.corpus}", file=sys.stderr)
        return 2
    analysed = sum(1 for blob in blobs if decode(blob).analysis is not None)  # also warms up
    per_message_ms(blobs, 1, enabled=False)
    on: list[float] = []
    off: list[float] = []
    for _ in range(args.rounds):
        off.append(per_message_ms(blobs, args.repeat, enabled=False))
        on.append(per_message_ms(blobs, args.repeat, enabled=True))
    with_ms, without_ms = statistics.median(on), statistics.median(off)
    diff = with_ms - without_ms
    rounds = f"{args.rounds} rounds x {args.repeat}"
    print(f"messages: {len(blobs)} ({analysed} with an analysis), {rounds}")
    print(f"decode() with the analysis:    {with_ms:.3f} ms/message")
    print(f"decode() without the analysis: {without_ms:.3f} ms/message")
    verdict = "within" if diff < TARGET_MS else "OVER"
    print(f"difference: {diff:+.3f} ms/message ({verdict} the {TARGET_MS} ms target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
