"""What a refresh through Prefect costs on top of the same refresh without it (issue 15, point 1).

Every figure is the wall time of a whole ``dxdata refresh`` command (interpreter start, imports, the run,
exit), as a user sees it, with the project's local Prefect server (`dxdata.orchestrate.prefect_server`) kept
in a home of its own under ``--workdir`` and stopped at the end:

1. **Seeds, nothing new.** ``dxdata refresh`` over ``data/raw`` once (it starts the local server and
   publishes v0001), then ``--runs`` no-change refreshes through Prefect alternating with as many
   ``--no-prefect`` ones; medians. ``--temporary-runs`` adds no-change refreshes on Prefect's temporary
   server (``DXDATA_PREFECT_SERVER=temporary``, the behaviour before the local server) for comparison.
2. **Synthetic corpus** (``--articles``, default 5,000; `dxdata.tools.synth`, seed 0): full refreshes into an
   empty output folder with ``--no-prefect`` and through Prefect, alternating (``--full-runs`` of each),
   then 1% new articles and the incremental refresh of each; Prefect's share = (Prefect - plain) / Prefect
   of the medians. ``--with-temporary`` adds a full refresh on the temporary server.

Run it on a quiet machine and on a tree nobody edits meanwhile: a change to the extraction code or the
codebook during a run makes the next refresh extract everything again.

    .venv/bin/python benchmarks/prefect_overhead.py --workdir /tmp/dxprefect
    .venv/bin/python benchmarks/prefect_overhead.py --skip-synthetic --runs 9     # the seeds only
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "data" / "raw"


def refresh(raw: Path, out: Path, env: dict[str, str], *extra: str) -> float:
    """Wall seconds of one `dxdata refresh` command; raises with its stderr if it fails."""
    cmd = [sys.executable, "-m", "dxdata.cli", "refresh", "--no-progress", "--raw-dir", str(raw), "--out-dir", str(out)]
    started = time.perf_counter()
    done = subprocess.run([*cmd, *extra], env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd + list(extra))} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return wall


def server_command(action: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "dxdata.cli", "server", action], env=env, capture_output=True, text=True, check=False
    )
    return (done.stdout + done.stderr).strip()


def loop_ms() -> float:
    """A yardstick of the machine's speed at the moment: a 1M-step Python loop, best of five (ms)."""
    import timeit

    return 1000 * min(timeit.repeat("for i in range(1_000_000): s += i", "s = 0", number=1, repeat=5))


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


def seeds_part(workdir: Path, env: dict[str, str], runs: int, temporary_runs: int) -> dict:
    out = workdir / "seeds-out"
    shutil.rmtree(out, ignore_errors=True)
    first = refresh(SEEDS, out, env)  # starts the local server, publishes v0001
    prefect_runs, plain_runs = [], []
    for _ in range(runs):
        prefect_runs.append(refresh(SEEDS, out, env))
        plain_runs.append(refresh(SEEDS, out, env, "--no-prefect"))
    result = {"first_with_server_start": first, "prefect": summary(prefect_runs), "no_prefect": summary(plain_runs)}
    if temporary_runs:
        temporary = env | {"DXDATA_PREFECT_SERVER": "temporary"}
        result["temporary_server"] = summary([refresh(SEEDS, out, temporary) for _ in range(temporary_runs)])
    return result


def corpus(workdir: Path, n: int) -> Path:
    """workdir/corpus-N: the first N synthetic articles of seed 0 (written once, then reused)."""
    from dxdata.tools import synth

    folder = workdir / f"corpus-{n}"
    if not (folder / ".complete").exists():
        synth.generate(n, folder, seed=0)
        (folder / ".complete").touch()
    return folder


def synthetic_part(
    workdir: Path, env: dict[str, str], n: int, processes: int, full_runs: int, with_temporary: bool
) -> dict:
    """Full refreshes (plain and through Prefect, alternating, `full_runs` of each, every one into an empty
    output folder), then 1% new articles and one incremental refresh of each mode; wall seconds."""
    from dxdata.tools import synth

    base = corpus(workdir, n)
    raw = workdir / f"raw-{n}"
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir()
    for p in base.iterdir():
        if not p.name.startswith("."):
            os.link(p, raw / p.name)  # a copy to grow by 1%, without copying
    outs = {mode: workdir / f"out-{mode}-{n}" for mode in ("plain", "prefect", "temporary")}
    procs = ("--processes", str(processes))
    runs: dict[str, list[float]] = {"plain": [], "prefect": []}
    for _ in range(full_runs):
        for mode, extra in (("plain", ("--no-prefect",)), ("prefect", ())):
            shutil.rmtree(outs[mode], ignore_errors=True)  # an empty output folder: no version, no cache
            runs[mode].append(refresh(raw, outs[mode], env, *extra, *procs))
    full = {mode: summary(values) for mode, values in runs.items()}
    if with_temporary:
        shutil.rmtree(outs["temporary"], ignore_errors=True)
        temporary_env = env | {"DXDATA_PREFECT_SERVER": "temporary"}
        full["temporary"] = summary([refresh(raw, outs["temporary"], temporary_env, *procs)])
    synth.generate(max(1, n // 100), raw, seed=0, start=n)
    incremental = {
        "plain": summary([refresh(raw, outs["plain"], env, "--no-prefect", *procs)]),
        "prefect": summary([refresh(raw, outs["prefect"], env, *procs)]),
    }
    for out in outs.values():
        shutil.rmtree(out, ignore_errors=True)
    return {"articles": n, "processes": processes, "full": full, "incremental_1pct": incremental}


def share(prefect: dict, plain: dict) -> str:
    """Medians, with the range when there were several runs, and Prefect's share of the median."""

    def text(values: dict) -> str:
        spread = f" ({values['min']:.1f}-{values['max']:.1f})" if len(values["runs"]) > 1 else ""
        return f"{values['median']:.1f} s{spread}"

    return (
        f"{text(prefect)} against {text(plain)} with --no-prefect: Prefect's share "
        f"{100 * (prefect['median'] - plain['median']) / prefect['median']:.1f}%"
    )


def report(result: dict) -> None:
    seeds = result.get("seeds")
    if seeds:
        p, n = seeds["prefect"], seeds["no_prefect"]
        print(f"\nseeds, first refresh (starts the local server): {seeds['first_with_server_start']:.1f} s")
        print(
            f"seeds, no change, median of {len(p['runs'])}: through Prefect {p['median']:.2f} s "
            f"({p['min']:.2f}-{p['max']:.2f}), --no-prefect {n['median']:.2f} s ({n['min']:.2f}-{n['max']:.2f})"
        )
        if "temporary_server" in seeds:
            t = seeds["temporary_server"]
            print(f"seeds, no change, Prefect's temporary server: {t['median']:.2f} s ({t['min']:.2f}-{t['max']:.2f})")
    synthetic = result.get("synthetic")
    if synthetic:
        full, inc, n = synthetic["full"], synthetic["incremental_1pct"], synthetic["articles"]
        print(f"{n} articles, full refresh: {share(full['prefect'], full['plain'])}")
        if "temporary" in full:
            print(f"{n} articles, full refresh, temporary server: {share(full['temporary'], full['plain'])}")
        print(f"{n} articles, 1% new: {share(inc['prefect'], inc['plain'])}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "dxdata-prefect-overhead")
    p.add_argument("--runs", type=int, default=5, help="no-change refreshes of the seeds per mode (default: 5)")
    p.add_argument("--temporary-runs", type=int, default=1, help="of them on the temporary server (default: 1)")
    p.add_argument("--articles", type=int, default=5000, help="synthetic corpus size (default: 5000)")
    p.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="extraction processes")
    p.add_argument("--full-runs", type=int, default=2, help="full refreshes of the corpus per mode (default: 2)")
    p.add_argument("--skip-synthetic", action="store_true", help="the seeds only")
    p.add_argument("--with-temporary", action="store_true", help="also the full refresh on the temporary server")
    p.add_argument("--json", type=Path, help="append the results to this JSON-lines file")
    args = p.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    env.pop("DXDATA_PREFECT_SERVER", None)
    env |= {
        "DXDATA_SERVER_HOME": str(args.workdir / "server-home"),
        "PREFECT_HOME": str(args.workdir / "client-home"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")])),
    }
    result: dict = {
        "python": sys.version.split()[0],
        "nproc": os.cpu_count(),
        "load_before": os.getloadavg(),
        "loop_ms_before": loop_ms(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    print(server_command("stop", env))  # a server left by an earlier run of this script: start from none
    try:
        result["seeds"] = seeds_part(args.workdir, env, args.runs, args.temporary_runs)
        if not args.skip_synthetic:
            result["synthetic"] = synthetic_part(
                args.workdir, env, args.articles, args.processes, args.full_runs, args.with_temporary
            )
    finally:
        print(server_command("stop", env))
    result["load_after"] = os.getloadavg()
    result["loop_ms_after"] = loop_ms()
    print(json.dumps(result, indent=1))
    report(result)
    print(
        f"load average before / after: {result['load_before'][0]:.2f} / {result['load_after'][0]:.2f}; "
        f"a 1M-step Python loop: {result['loop_ms_before']:.0f} / {result['loop_ms_after']:.0f} ms"
    )
    if args.json:
        with open(args.json, "a", encoding="utf-8") as f:
            f.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
