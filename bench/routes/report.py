"""Writes RESULTS.md from the JSON lines of the three engines and of the independent checker.

Usage: report.py OUT_DIR DATA_DIR TIME_LIMIT RESULTS.md

Every cost in the table is the one tongquan's independent checker recomputes from the instance
(arcs truncated to one decimal), not the engine's own figure; an answer the checker refuses is
marked and left out of the averages.
"""

import json
import os
import pathlib
import platform
import subprocess
import sys

ENGINES = [("ours", "tongquan"), ("vroom", "VROOM"), ("pyvrp", "PyVRP")]
# Summarised but not given columns of their own.
EXTRA = [("ours-1t", "tongquan, 1 thread")]


def lines(path):
    return [json.loads(l) for l in path.read_text().splitlines() if l.startswith("{")]


def optimum(data, name):
    for line in (data / f"{name}.sol").read_text().splitlines():
        if line.startswith("Cost"):
            return float(line.split()[1])
    raise ValueError(f"{name}.sol has no Cost line")


def machine():
    model = "?"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    mem = "?"
    for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    cores = len(os.sched_getaffinity(0))
    return f"{cores} cores (nproc), {model}, {mem} RAM, {platform.system()} {platform.release()}"


def main():
    out, data, limit, results = (
        pathlib.Path(sys.argv[1]),
        pathlib.Path(sys.argv[2]),
        float(sys.argv[3]),
        pathlib.Path(sys.argv[4]),
    )
    runs = {
        e: {r["instance"]: r for r in lines(out / f"{e}.jsonl")}
        for e, _ in ENGINES + EXTRA
        if (out / f"{e}.jsonl").exists()
    }
    checked = {
        (r["engine"], r["instance"]): r for r in lines(out / "checked.jsonl")
    }
    names = sorted(runs["ours"])
    stats = {e: {"gaps": [], "seconds": [], "bad": []} for e, _ in ENGINES + EXTRA}
    rows = []
    for name in names:
        opt = optimum(data, name)
        row = [name, f"{opt:.1f}"]
        for engine, _ in ENGINES + EXTRA:
            run = runs.get(engine, {}).get(name)
            check = checked.get((engine, name))
            if run is None or check is None:
                row += ["–", "–", "–"]
                stats[engine]["bad"].append(f"{name} (no answer)")
                continue
            cost = check["checked_cost"]
            seconds = run["seconds"]
            gap = 100 * (cost - opt) / opt
            if check["feasible"]:
                stats[engine]["gaps"].append(gap)
                stats[engine]["seconds"].append(seconds)
                row += [f"{cost:.1f}", f"{gap:.2f}", f"{seconds:.1f}"]
            else:
                stats[engine]["bad"].append(f"{name}: {'; '.join(check['violations'])}")
                row += [f"{cost:.1f} ✗", f"({gap:.2f})", f"{seconds:.1f}"]
        rows.append(row[: 2 + 3 * len(ENGINES)])

    head = ["instance", "optimum"]
    for _, label in ENGINES:
        head += [f"{label} cost", "gap %", "s"]
    md = [
        "# Solomon VRPTW: tongquan, VROOM and PyVRP side by side",
        "",
        "Written by `bench/routes/run.sh`; see README.md beside this file for what is measured.",
        "",
        f"- Machine: {machine()}.",
        f"- Convention: Euclidean arcs truncated to one decimal, travel time = distance, objective ="
        f" total distance, at most VEHICLES routes (the `.sol` optima's convention). Costs below are"
        f" recomputed by tongquan's independent checker from the raw instance for all three engines.",
        f"- tongquan: `plan` SISR ruin-and-recreate, {limit:g} s per instance, 2 searches on 2 threads"
        f" (best of two seeds); the \"1 thread\" row is one search alone, as PyVRP runs.",
        f"- VROOM: pyvroom 1.15 (VROOM 1.15), exploration level 5 (its highest, the CLI's default),"
        f" 2 threads, timeout {limit:g} s; integer matrix in tenths.",
        f"- PyVRP: pyvrp 0.14, `read(..., round_func=\"dimacs\")` (whole tenths, truncated),"
        f" `solve(..., stop=MaxRuntime({limit:g}), seed=1)`, one thread (PyVRP is single-threaded).",
        "",
        "| engine | average gap % | worst gap % | optimum found | average s | feasible |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for engine, label in ENGINES + EXTRA:
        if engine not in runs:
            continue
        s = stats[engine]
        g = s["gaps"]
        if g:
            md.append(
                f"| {label} | {sum(g) / len(g):.2f} | {max(g):.2f} |"
                f" {sum(1 for x in g if x < 1e-9)} |"
                f" {sum(s['seconds']) / len(s['seconds']):.1f} | {len(g)}/{len(names)} |"
            )
        else:
            md.append(f"| {label} | – | – | – | – | 0/{len(names)} |")
    vroom = [r["seconds"] for r in runs["vroom"].values()]
    stopped = sum(1 for t in vroom if t < limit - 0.05)
    md += [
        "",
        f"VROOM stopped by itself before the {limit:g} s timeout on {stopped}/{len(vroom)} instances"
        f" (longest {max(vroom):.1f} s).",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * 2 + "---:|" * (len(head) - 2),
    ]
    md += ["| " + " | ".join(r) + " |" for r in rows]
    bad = [(label, b) for e, label in ENGINES + EXTRA if e in runs for b in stats[e]["bad"]]
    if bad:
        md += ["", "Answers the checker refused (✗, left out of the averages):", ""]
        md += [f"- {label} {b}" for label, b in bad]
    results.write_text("\n".join(md) + "\n")
    for engine, label in ENGINES + EXTRA:
        g = stats[engine]["gaps"]
        if g:
            print(f"{label}: average gap {sum(g) / len(g):.2f} %, worst {max(g):.2f} %,"
                  f" feasible {len(g)}/{len(names)}")


if __name__ == "__main__":
    main()
