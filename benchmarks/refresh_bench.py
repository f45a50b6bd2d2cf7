"""Refresh benchmark on synthetic corpora: throughput, incremental cost, peak memory, Prefect's share.

For each size N (default 1,000 and 10,000; add 50000 with --sizes):

1. ``full``        -- a full refresh without Prefect (`orchestrate.refresh.run_refresh`, empty cache) on N
                      synthetic articles (`dxdata.tools.synth`, seed 0): articles/s, time per stage, peak RSS
                      of the main process and of the largest extraction worker (``--processes``).
2. ``incremental`` -- 1% new articles added to the same raw folder, same output folder: time.
3. ``flow``        -- the same full refresh through the Prefect flow (embedded server, default thread
                      task runner) on a fresh output folder: (flow - plain) / flow is Prefect's share.

Every measurement runs in a child process of its own, so peak RSS (``ru_maxrss``) is that run's alone.
Results are printed as a table and written as JSON (``--json``).

    .venv/bin/python benchmarks/refresh_bench.py --sizes 1000 10000 --workdir /tmp/dxbench
    .venv/bin/python benchmarks/refresh_bench.py --sizes 50000 --skip-flow --workdir /tmp/dxbench
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dxdata.tools import synth

REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------------------------- child side


def _peak_rss_mib() -> dict[str, float]:
    """Peak resident memory of this process and of its largest child (the extraction workers), MiB."""
    from dxdata.pool import shutdown_pool

    shutdown_pool()  # reap the workers so that RUSAGE_CHILDREN counts them
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"main": own, "largest_worker": child}


def child_plain(raw: Path, out: Path, batch: int, processes: int) -> dict:
    """`dxdata refresh --no-prefect`: `pipeline.run_refresh` with the caches, timed per stage."""
    from dxdata.orchestrate.refresh import run_refresh

    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    summary = run_refresh(raw, out, batch_size=batch, cached=True, workers=processes, timings=stages)
    return {
        "seconds": time.perf_counter() - t0,
        "stages": stages,
        "articles": summary.articles_read,
        "observations": summary.observations,
        "version": summary.version,
        "changed": summary.changed,
        "mean_bytes": sum(p.stat().st_size for p in raw.iterdir() if p.is_file()) / max(1, summary.files_seen),
    }


def child_flow(raw: Path, out: Path, batch: int, processes: int) -> dict:
    """`dxdata refresh`: the Prefect flow on its embedded server (start-up excluded, it is paid once)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from prefect import flow

    from dxdata.orchestrate import prefect_flow

    flow(lambda: None, name="warm-up")()  # starts the embedded server
    t0 = time.perf_counter()
    summary = prefect_flow.refresh(raw_dir=str(raw), out_dir=str(out), batch_size=batch, processes=processes)
    return {"seconds": time.perf_counter() - t0, "observations": summary["observations"], "version": summary["version"]}


def child_main(argv: list[str]) -> int:
    mode, raw, out, batch, processes = argv[0], Path(argv[1]), Path(argv[2]), int(argv[3]), int(argv[4])
    start = time.perf_counter()
    result = (child_plain if mode == "plain" else child_flow)(raw, out, batch, processes)
    result["wall_seconds_in_process"] = time.perf_counter() - start
    result["peak_rss_mib"] = _peak_rss_mib()
    print("RESULT " + json.dumps(result), flush=True)
    return 0


# --------------------------------------------------------------------------------------------- driver


def run_child(mode: str, raw: Path, out: Path, batch: int, processes: int, env: dict[str, str]) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(raw), str(out), str(batch), str(processes)],
        capture_output=True,
        text=True,
        env=env,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} run failed:\n{proc.stderr[-4000:]}")
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    result["wall_seconds"] = wall  # including interpreter start and imports
    return result


def corpus(workdir: Path, n: int) -> Path:
    """workdir/corpus-N: the first N synthetic articles of seed 0 (written once, then reused)."""
    from dxdata.tools import synth

    folder = workdir / f"corpus-{n}"
    done = folder / ".complete"
    if not done.exists():
        synth.generate(n, folder, seed=0)
        done.touch()
    return folder


def raw_copy(workdir: Path, base: Path, n: int) -> Path:
    """A fresh raw folder holding the corpus's files (hard links: no copy), to grow by 1% in place."""
    folder = workdir / f"raw-{n}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for p in base.iterdir():
        if not p.name.startswith("."):
            os.link(p, folder / p.name)
    return folder


def machine() -> dict:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        "?",
    )
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "cpu": cpu, "free_h": mem, "python": sys.version.split()[0]}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        return child_main(argv[1:])
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    p.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "dxdata-bench")
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="extraction processes")
    p.add_argument("--skip-flow", action="store_true", help="no Prefect run (it doubles the time)")
    p.add_argument("--json", type=Path, help="append the results to this JSON-lines file")
    args = p.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PREFECT_HOME"] = str(args.workdir / "prefect-home")
    env.pop("PREFECT_API_URL", None)
    print(json.dumps(machine() | {"processes": args.processes, "batch_size": args.batch_size}, indent=1))
    for n in args.sizes:
        t = time.perf_counter()
        base = corpus(args.workdir, n)
        gen = time.perf_counter() - t
        raw = raw_copy(args.workdir, base, n)
        out = args.workdir / f"out-{n}"
        shutil.rmtree(out, ignore_errors=True)
        full = run_child("plain", raw, out, args.batch_size, args.processes, env)
        synth.generate(max(1, n // 100), raw, seed=0, start=n)  # 1% new articles in the same folder
        inc = run_child("plain", raw, out, args.batch_size, args.processes, env)
        row = {"n": n, "corpus_seconds": gen, "full": full, "incremental": inc}
        if not args.skip_flow:
            out_flow = args.workdir / f"out-flow-{n}"
            shutil.rmtree(out_flow, ignore_errors=True)
            row["flow"] = run_child("flow", base, out_flow, args.batch_size, args.processes, env)
            shutil.rmtree(out_flow, ignore_errors=True)
        report(row)
        if args.json:
            with open(args.json, "a", encoding="utf-8") as f:
                f.write(json.dumps(row) + "\n")
    return 0


def _rss(result: dict) -> str:
    rss = result["peak_rss_mib"]
    return f"{rss['main']:.0f} MiB main + {rss['largest_worker']:.0f} MiB per worker"


def report(row: dict) -> None:
    n, full, inc = row["n"], row["full"], row["incremental"]
    print(f"\n== {n} articles (mean {full['mean_bytes'] / 1000:.1f} kB)")
    print(
        f"full refresh (no Prefect): {full['seconds']:.1f} s = {n / full['seconds']:.0f} articles/s; "
        f"peak RSS {_rss(full)}; stages " + ", ".join(f"{k} {v:.1f} s" for k, v in full["stages"].items())
    )
    print(
        f"incremental (+{row['n'] // 100} new): {inc['seconds']:.1f} s = "
        f"{100 * inc['seconds'] / full['seconds']:.1f}% of full; peak RSS {_rss(inc)}; stages "
        + ", ".join(f"{k} {v:.1f} s" for k, v in inc["stages"].items())
    )
    if "flow" in row:
        fl = row["flow"]
        share = (fl["seconds"] - full["seconds"]) / fl["seconds"]
        print(
            f"flow (Prefect, embedded server): {fl['seconds']:.1f} s = {n / fl['seconds']:.0f} articles/s; "
            f"peak RSS {_rss(fl)}; Prefect share {100 * share:.1f}% "
            f"({fl['seconds'] - full['seconds']:.1f} s); same rows: {fl['observations'] == full['observations']}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
