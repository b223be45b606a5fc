#!/usr/bin/env python
"""Flow validation at scale: generates flows of 1,000, 10,000 and 100,000 steps and times loading them (TOML
parsing, the structure checks, the depths) and the checks alone. Goal: 10,000 steps under a second, and linear
(the time per step stays flat as the flow grows).

    .venv/bin/python bench/flow_scale.py [--sizes 1000,10000,100000]

Each generated flow is a random acyclic graph the way a real guide is built: questions with two to four answers
leading further down (mostly to the next few steps, some far ahead), info steps, and outcomes at the ends.
Prints a markdown table of CPU time (process time: on a shared machine, waiting for a core is not counted); a
benchmark, it never fails on a slow run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.flows.loader import _depths, load_flow  # noqa: E402
from portal.flows.validator import structure_problems  # noqa: E402

OUTCOMES = ("appeal", "wait", "contact-meta")


def generated_toml(size: int, seed: int = 9) -> str:
    rng = random.Random(seed)
    outcomes = max(3, size // 10)
    inner = size - outcomes
    info = {i for i in range(inner) if i % 7 == 3}
    answers: dict[int, list[int]] = {}
    for i in range(inner):
        if i in info:
            continue
        targets = [i + 1]  # every inner step leads to the next one: the whole flow is reachable
        for _ in range(rng.randint(1, 3)):
            far = rng.random() >= 0.85
            targets.append(min(size - 1, rng.randint(i + 1, size - 1) if far else i + rng.randint(1, 5)))
        answers[i] = targets
    questions = sorted(answers)
    for j in range(inner + 1, size):  # every outcome has a question leading to it
        answers[questions[(j * 7919) % len(questions)]].append(j)
    lines = ['id = "generated"', 'start = "n0"', ""]
    for i in range(size):
        lines += ["[[nodes]]", f'id = "n{i}"']
        if i >= inner:
            lines += ['type = "outcome"', f'outcome = "{OUTCOMES[i % 3]}"']
        elif i in info:
            lines += ['type = "info"', f'next = "n{i + 1}"']
        else:
            choices = ", ".join(f'{{ id = "a{k}", next = "n{t}" }}' for k, t in enumerate(answers[i]))
            lines += ['type = "question"', f"answers = [{choices}]"]
        lines.append("")
    return "\n".join(lines)


def measure(size: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.toml"
        path.write_text(generated_toml(size))
        load_times, check_times = [], []
        for _ in range(runs):
            started = time.process_time()
            flow = load_flow(path)
            load_times.append(time.process_time() - started)
            nodes = list(flow.nodes.values())
            started = time.process_time()
            problems = structure_problems(path, flow.start, nodes)
            _depths(flow.nodes)
            check_times.append(time.process_time() - started)
            assert not problems, problems[:3]
    return {"size": size, "load": statistics.median(load_times), "check": statistics.median(check_times),
            "longest": flow.depth[flow.start]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    rows = [measure(int(size), args.runs) for size in args.sizes.split(",")]
    print("| steps | load (TOML + checks + depths) | checks + depths | µs per step (checks) | longest path |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['size']:,} | {row['load'] * 1000:.0f} ms | {row['check'] * 1000:.0f} ms | "
              f"{row['check'] / row['size'] * 1e6:.1f} | {row['longest']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
