"""`make bench`: every figure of issue 12 in one run on one Temporal dev server, each against
the engine's floor (a bare workflow, unsandboxed worker in this process), with its goal.

    make bench                                  # everything (8–15 minutes on 2 cores, 10 000 live journeys)
    make bench ARGS="--only single,opening"     # some parts
    make bench ARGS="--quick"                   # smaller samples, for trying the bench itself
    .venv/bin/python -m bench --help
"""

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench import journeys, load, memory, opening, replay, single, worklist
from bench.floor import floor_running
from bench.report import Figure, machine, table, write_json
from bench.server_log import logged_dev_server, server_log_summary
from bench.stack import BenchStack, bench_stack, database_of_kind
from core.logging import configure_logging

Part = Callable[[BenchStack, argparse.Namespace], Awaitable[list[Figure]]]
PARTS: dict[str, Part] = {
    "single": lambda s, a: single.run(s, samples=60 if a.quick else 300),
    "opening": lambda s, a: opening.run(s, per_round=30 if a.quick else 100),
    "load": lambda s, a: load.run(s, per_caller=3 if a.quick else 12),
    "journeys": lambda s, a: journeys.run(s, journeys=20 if a.quick else 100),
    "replay": lambda s, a: replay.run(s),
    "memory": lambda s, a: memory.run(s, live=500 if a.quick else a.live),
    "worklist": lambda s, a: worklist.run(s, cases=5_000 if a.quick else 100_000, samples=10 if a.quick else 40),
}


async def main(args: argparse.Namespace) -> int:
    parts = [p.strip() for p in args.only.split(",")] if args.only else list(PARTS)
    unknown = set(parts) - set(PARTS)
    if unknown:
        print(f"unknown parts {sorted(unknown)}; choose from {', '.join(PARTS)}", file=sys.stderr)
        return 2
    run = machine() | {"parts": parts, "quick": args.quick, "database": args.database}
    run |= {"worker": args.worker, "web_workers": args.web_workers}
    print(
        f"load average before: {' '.join(f'{x:.2f}' for x in run['load_average'])} on {run['cpus']} cores", flush=True
    )
    figures: list[Figure] = []
    started = time.perf_counter()
    server_log = Path(args.json).with_name("bench-temporal.log")
    database = database_of_kind(args.database, "samverkan_bench")
    with tempfile.TemporaryDirectory(prefix="samverkan-bench-") as tmp, database as url:
        async with (
            logged_dev_server(server_log) as env,
            bench_stack(
                env,
                Path(tmp),
                url,
                worker_variant=None if args.worker == "service" else args.worker,
                web_workers=args.web_workers,
            ) as s,
            floor_running(s.bare),
        ):
            await s.open_case()  # warm-up: the worker and the web app have answered once
            for name in parts:
                t0 = time.perf_counter()
                print(f"\n== {name} ==", flush=True)
                try:
                    got = await PARTS[name](s, args)
                except Exception as exc:  # noqa: BLE001 - one broken part must not cost the others' figures
                    got = [
                        Figure(
                            name,
                            f"{name}: the part failed",
                            "",
                            0.0,
                            note=f"{type(exc).__name__}: {exc}"[:300],
                            errors=1,
                        )
                    ]
                print(table(got), f"\n({time.perf_counter() - t0:.0f} s)", flush=True)
                figures += got
                run["seconds"] = round(time.perf_counter() - started)
                write_json(Path(args.json), figures, run)  # as it goes: an interrupted run keeps its figures
    run["load_average_after"] = os.getloadavg()
    print("\n" + table(figures))
    met = [f.met for f in figures if f.met is not None]
    print(
        f"\n{met.count(True)} of {len(met)} goals met. Load average after: "
        f"{' '.join(f'{x:.2f}' for x in run['load_average_after'])}. Figures in {args.json} (and .md)"
    )
    run["seconds"] = round(time.perf_counter() - started)
    write_json(Path(args.json), figures, run)
    print(server_log_summary(server_log))
    print(f"The run took {run['seconds'] / 60:.1f} minutes.")
    return 0


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", help=f"comma-separated parts: {', '.join(PARTS)}")
    parser.add_argument("--quick", action="store_true", help="small samples: checks the bench, not the service")
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="the service's database for every part but the worklist (which runs on both)",
    )
    parser.add_argument(
        "--worker",
        choices=["service", "sandboxed", "passthrough", "unsandboxed"],
        default="service",
        help="an experiment: the service's worker with another workflow runner (bench/worker_variant.py)",
    )
    parser.add_argument("--live", type=int, default=10_000, help="live journeys for the memory part")
    parser.add_argument("--web-workers", type=int, default=1, help="an experiment: uvicorn --workers N")
    parser.add_argument("--json", default="var/bench.json", help="where the figures are written")
    return parser.parse_args()


if __name__ == "__main__":
    configure_logging("console", "warning")
    sys.exit(asyncio.run(main(parse())))
