"""Benchmark the NDR decoder over a corpus directory (not a test).

usage: python bench/decoder_bench.py CORPUS_DIR [--repeat 5] [--rounds 9] [--manage]

Prints messages/second for in-process decode(), then the whole-process CLI
(the Django-free `python -m errorcodes.ndr decode --format json`, or with --manage
`manage.py decode --format json`, over the corpus files repeated N times) against
Sisimai (Perl, Debian package libsisimai-perl) over the same file list, and the ratio.
bench/cli_bench.py measures the command line's other targets (start-up, a batch,
a 1 GiB mbox).
The two commands run in alternation for several rounds and the medians are
compared, so a burst of load from elsewhere on the machine hits both alike.
CPU seconds (user + system, workers included) are printed beside the wall-clock
times: they vary less when other work shares the machine.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from errorcodes.ndr import decode  # noqa: E402


def corpus_files(directory: Path) -> list[Path]:
    """Return the message files of a corpus directory (emails/ inside it if present)."""
    base = directory / "emails" if (directory / "emails").is_dir() else directory
    return sorted(
        p for p in base.iterdir() if p.is_file() and p.suffix in (".eml", ".txt", ".mbox")
    )


def bench_in_process(files: list[Path], repeat: int) -> float:
    """Return messages per second for decode() on data already in memory."""
    blobs = [p.read_bytes() for p in files]
    for blob in blobs:  # warm up imports and caches
        decode(blob)
    start = time.perf_counter()
    for _ in range(repeat):
        for blob in blobs:
            decode(blob)
    return len(blobs) * repeat / (time.perf_counter() - start)


def timed(cmd: list[str]) -> tuple[float, float]:
    """Run ``cmd`` with output discarded; return (wall-clock, CPU) seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def sisimai_command() -> tuple[list[str] | None, str | None]:
    """Return the Sisimai command that files are appended to, and its version (or None, None)."""
    perl = shutil.which("perl")
    if not perl:
        return None, None
    probe = subprocess.run(
        [perl, "-MSisimai", "-e", "print $Sisimai::VERSION"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        return None, None
    return [perl, str(Path(__file__).with_name("sisimai_driver.pl"))], probe.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument(
        "--manage", action="store_true", help="time manage.py decode (Django) instead"
    )
    args = parser.parse_args(argv)
    files = corpus_files(args.corpus)
    if not files:
        print(f"no message files in {args.corpus}", file=sys.stderr)
        return 2
    paths = [str(p) for p in files] * args.repeat
    n = len(paths)
    print(f"corpus: {len(files)} files x {args.repeat} = {n} messages")
    rate = bench_in_process(files, args.repeat)
    print(f"in-process decode(): {rate:,.0f} msgs/s ({1000 / rate:.3f} ms/msg)")

    # Bytecode compiled first, as an installation (and the Dockerfile) does: without it,
    # a PYTHONDONTWRITEBYTECODE environment recompiles the project's sources every run.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "decoder_site", "errorcodes", "manage.py"],
        check=False,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )
    if args.manage:
        label = "manage.py decode --format json"
        cli_cmd = [sys.executable, str(ROOT / "manage.py"), "decode", "--format", "json", *paths]
    else:
        label = "python -m errorcodes.ndr decode --format json"
        cli_cmd = [sys.executable, "-m", "errorcodes.ndr", "decode", "--format", "json", *paths]
    sisimai_cmd, version = sisimai_command()
    cli_runs, perl_runs = [], []
    for _ in range(args.rounds):
        cli_runs.append(timed(cli_cmd))
        if sisimai_cmd:
            perl_runs.append(timed([*sisimai_cmd, *paths]))
    cli, cli_cpu = report(f"CLI ({label})", cli_runs, n)
    if not sisimai_cmd:
        print("Sisimai not installed (apt-get install libsisimai-perl): no comparison")
        return 0
    sisimai, sisimai_cpu = report(f"Sisimai {version} (perl)", perl_runs, n)
    target = 2 if args.manage else 4
    print(f"ratio: our CLI is {sisimai / cli:.1f}x faster than Sisimai (target >= {target}x)")
    print(f"CPU ratio: Sisimai uses {sisimai_cpu / cli_cpu:.1f}x the CPU time of our CLI")
    return 0


def report(label: str, runs: list[tuple[float, float]], n: int) -> tuple[float, float]:
    """Print the medians of (wall, CPU) runs; return them."""
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    print(
        f"{label}: median {wall:.2f} s over {len(runs)} runs (best {min(r[0] for r in runs):.2f} s)"
        f", {n / wall:,.0f} msgs/s; CPU {cpu:.2f} s"
    )
    return wall, cpu


if __name__ == "__main__":
    sys.exit(main())
