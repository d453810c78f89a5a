"""Benchmark the Django-free command line against Sisimai (not a test).

usage: python bench/cli_bench.py CORPUS_DIR [--repeat 5] [--batch 300] [--rounds 7]
                                 [--startup-runs 31] [--mbox-mib 1024] [--skip-mbox]

Four figures, each beside Sisimai's (Perl, Debian's libsisimai-perl) from the same run:

1. start-up: one file, the median of --startup-runs whole processes (target < 80 ms);
2. the corpus repeated --repeat times (1,560 messages for 312 files), whole process,
   the two commands alternating for --rounds rounds, medians (target >= 4x Sisimai);
3. a batch of the first --batch files, the same way (target >= 2x Sisimai);
4. an mbox of --mbox-mib MiB made of the corpus repeated, built in a temporary
   folder and deleted after: peak memory of the process tree and messages per
   second per core (targets < 200 MB, >= 1,500/s per core), against Sisimai's
   messages per CPU-second from run 2.

The command line runs as ``python -m errorcodes.ndr decode --format json`` from
the checkout (the console script ``bounce-decoder`` runs the same code); pass
--cli to time another command, e.g. an installed ``bounce-decoder``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from decoder_bench import corpus_files, sisimai_command, timed  # noqa: E402

FROM_LINE = b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n"
# mboxrd: every body line that starts with (any number of ">" and) "From " gets one more ">".
QUOTE_RE = re.compile(rb"(?m)^(>*From )")


def median_ms(cmd: list[str], runs: int) -> float:
    """Median wall-clock milliseconds of ``runs`` runs of ``cmd`` (after one warm-up)."""
    timed(cmd)
    return statistics.median(timed(cmd)[0] for _ in range(runs)) * 1000


def alternate(commands: dict[str, list[str]], rounds: int) -> dict[str, tuple[float, float]]:
    """Run the commands in turn for ``rounds`` rounds; return each one's median (wall, CPU)."""
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for cmd in commands.values():  # warm the page cache and the bytecode
        timed(cmd)
    for _ in range(rounds):
        for name, cmd in commands.items():
            runs[name].append(timed(cmd))
    return {
        name: (statistics.median(r[0] for r in got), statistics.median(r[1] for r in got))
        for name, got in runs.items()
    }


def build_mbox(files: list[Path], path: Path, size: int) -> int:
    """Write an mbox of at least ``size`` bytes from ``files`` repeated; return its messages."""
    unit = bytearray()
    for file in files:
        data = file.read_bytes()
        if data.startswith(b"From "):  # the file's own From_ line: not part of the message
            data = data.split(b"\n", 1)[1] if b"\n" in data else b""
        unit += FROM_LINE + QUOTE_RE.sub(rb">\1", data)
        if not data.endswith(b"\n"):
            unit += b"\n"
        unit += b"\n"
    count = 0
    with path.open("wb") as handle:
        while handle.tell() < size:
            handle.write(unit)
            count += len(files)
    return count


class TreeMemory:
    """Samples the resident memory of a process and its descendants every 20 ms."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_total = 0  # RSS of the whole tree (shared pages counted in each process)
        self.peak_pss = 0  # proportional set size of the tree: shared pages split
        self.peak_one = 0  # the largest single process
        self.processes = 1
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _tree(self) -> list[int]:
        pids, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            with contextlib.suppress(OSError):  # the process has just ended
                todo += map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
        return pids

    @staticmethod
    def _kib(path: str, field: str) -> int:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(field):
                    return int(line.split()[1])
        except (OSError, ValueError, IndexError):
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            pids = self._tree()
            rss = [self._kib(f"/proc/{pid}/status", "VmRSS:") for pid in pids]
            pss = sum(self._kib(f"/proc/{pid}/smaps_rollup", "Pss:") for pid in pids)
            self.peak_total = max(self.peak_total, sum(rss) * 1024)
            self.peak_pss = max(self.peak_pss, pss * 1024)
            self.peak_one = max(self.peak_one, max(rss, default=0) * 1024)
            self.processes = max(self.processes, len(pids))


def bench_mbox(cli: list[str], files: list[Path], mib: int) -> dict[str, float]:
    """Decode a ``mib`` MiB mbox: wall and CPU seconds, messages, peak memory."""
    with tempfile.TemporaryDirectory(prefix="bounce-mbox-") as tmp:
        path = Path(tmp) / "corpus.mbox"
        count = build_mbox(files, path, mib << 20)
        size = path.stat().st_size
        print(
            f"mbox: {size / (1 << 20):,.0f} MiB, {count:,} messages (built in {tmp}, deleted after)"
        )
        import resource

        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        with open(os.devnull, "wb") as sink:
            proc = subprocess.Popen([*cli, str(path)], stdout=sink, cwd=ROOT)
            with TreeMemory(proc.pid) as memory:
                proc.wait()
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "messages": count,
        "wall": wall,
        "cpu": cpu,
        "peak_total": memory.peak_total,
        "peak_pss": memory.peak_pss,
        "peak_one": memory.peak_one,
        "processes": memory.processes,
        "status": proc.returncode,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--startup-runs", type=int, default=31)
    parser.add_argument("--mbox-mib", type=int, default=1024)
    parser.add_argument("--skip-mbox", action="store_true")
    parser.add_argument(
        "--cli",
        default=f"{shlex.quote(sys.executable)} -m errorcodes.ndr decode --format json",
        help="the command line to time, files appended (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    files = corpus_files(args.corpus)
    if not files:
        print(f"no message files in {args.corpus}", file=sys.stderr)
        return 2
    # Bytecode compiled first, as an installation does (PYTHONDONTWRITEBYTECODE
    # would otherwise have every run compile the sources again).
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "errorcodes"],
        check=False,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )
    cli = shlex.split(args.cli)
    sisimai, version = sisimai_command()
    if sisimai is None:
        print("Sisimai not installed (apt-get install libsisimai-perl): no comparison")
    print(f"CPUs: {os.cpu_count()}; CLI: {' '.join(cli)}; Sisimai {version or '-'}")

    one = [str(files[0])]
    startup = median_ms([*cli, *one], args.startup_runs)
    bare = median_ms([sys.executable, "-c", "pass"], args.startup_runs)
    line = f"1. start-up, one file: median {startup:.1f} ms over {args.startup_runs} runs"
    line += f" (python doing nothing: {bare:.1f} ms)"
    if sisimai:
        perl_one = median_ms([*sisimai, *one], args.startup_runs)
        line += f"; Sisimai {perl_one:.1f} ms, {perl_one / startup:.1f}x"
    print(line + f" [target < 80 ms: {'met' if startup < 80 else 'NOT met'}]")

    sisimai_rate = None
    for number, label, paths, target in (
        (2, f"corpus x {args.repeat}", [str(p) for p in files] * args.repeat, 4.0),
        (3, f"batch of {args.batch} files", [str(p) for p in files[: args.batch]], 2.0),
    ):
        commands = {"cli": [*cli, *paths]}
        if sisimai:
            commands["sisimai"] = [*sisimai, *paths]
        got = alternate(commands, args.rounds)
        wall, cpu = got["cli"]
        n = len(paths)
        line = (
            f"{number}. {label} ({n:,} messages), median of {args.rounds}: CLI {wall:.3f} s"
            f" ({n / wall:,.0f} msgs/s, CPU {cpu:.2f} s)"
        )
        if sisimai:
            perl_wall, perl_cpu = got["sisimai"]
            ratio = perl_wall / wall
            line += (
                f"; Sisimai {perl_wall:.3f} s (CPU {perl_cpu:.2f} s): {ratio:.2f}x faster"
                f" [target >= {target:.0f}x: {'met' if ratio >= target else 'NOT met'}]"
            )
            if number == 2:
                sisimai_rate = n / perl_cpu
        print(line)

    if not args.skip_mbox:
        got = bench_mbox(cli, files, args.mbox_mib)
        rate = got["messages"] / got["wall"]
        per_core = got["messages"] / got["cpu"]
        mib = 1 << 20
        line = (
            f"4. mbox: {got['messages']:,} messages in {got['wall']:.1f} s = {rate:,.0f} msgs/s"
            f" with {got['processes']} processes; {per_core:,.0f} msgs per CPU-second"
            f" [target >= 1,500: {'met' if per_core >= 1500 else 'NOT met'}]"
            f"; peak memory: tree RSS {got['peak_total'] / mib:.0f} MiB"
            f" (PSS {got['peak_pss'] / mib:.0f} MiB,"
            f" largest process {got['peak_one'] / mib:.0f} MiB)"
            f" [target < 200 MB: {'met' if got['peak_total'] < 200e6 else 'NOT met'}]"
            f"; exit status {got['status']}"
        )
        if sisimai_rate:
            line += (
                f"; Sisimai decodes {sisimai_rate:,.0f} msgs per CPU-second (run 2):"
                f" {per_core / sisimai_rate:.1f}x per core"
            )
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
