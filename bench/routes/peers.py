"""Solves Solomon instances with VROOM (pyvroom) or PyVRP under the truncated-tenths convention.

Usage: peers.py vroom|pyvrp DATA_DIR TIME_LIMIT > out.jsonl

Prints one JSON line per instance: instance, cost, seconds, routes (client numbers as in the .sol
files), so that tongquan's independent checker can re-check every peer's answer.
"""

import json
import math
import pathlib
import sys
import time
from datetime import timedelta


def read_vrp(path):
    """The fields of a Solomon VRPLIB file that both models need (node 0 is the depot)."""
    header, sections, current = {}, {}, None
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line == "EOF":
            continue
        if ":" in line:
            key, value = (s.strip() for s in line.split(":", 1))
            header[key] = value
            current = None
        elif line.endswith("_SECTION"):
            current = sections.setdefault(line, [])
        elif current is not None:
            current.append([float(t) for t in line.split()])
    coords = [(r[1], r[2]) for r in sections["NODE_COORD_SECTION"]]
    n = len(coords)
    service = float(header.get("SERVICE_TIME", 0))
    return {
        "vehicles": int(header["VEHICLES"]),
        "capacity": int(header["CAPACITY"]),
        "coords": coords,
        "demand": [int(r[1]) for r in sections["DEMAND_SECTION"]],
        "windows": [(r[1], r[2]) for r in sections["TIME_WINDOW_SECTION"]],
        "service": [0.0] + [service] * (n - 1),
    }


def tenths_matrix(coords):
    """Euclidean distances truncated to one decimal, in whole tenths (exact for whole coordinates)."""
    return [
        [math.isqrt(int(100 * ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2))) for b in coords]
        for a in coords
    ]


def solve_vroom(path, limit):
    import vroom

    inst = read_vrp(path)
    matrix = tenths_matrix(inst["coords"])
    tenths = lambda x: int(round(10 * x))
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=matrix)
    depot = inst["windows"][0]
    for v in range(inst["vehicles"]):
        problem.add_vehicle(
            vroom.Vehicle(
                v + 1,
                start=0,
                end=0,
                capacity=[inst["capacity"]],
                time_window=vroom.TimeWindow(tenths(depot[0]), tenths(depot[1])),
            )
        )
    for k in range(1, len(matrix)):
        e, l = inst["windows"][k]
        problem.add_job(
            vroom.Job(
                k,
                location=k,
                default_service=tenths(inst["service"][k]),
                delivery=[inst["demand"][k]],
                time_windows=[vroom.TimeWindow(tenths(e), tenths(l))],
            )
        )
    started = time.perf_counter()
    # Exploration level 5 is VROOM's highest (and its command line's default); 2 threads = 2 cores.
    sol = problem.solve(exploration_level=5, nb_threads=2, timeout=timedelta(seconds=limit))
    seconds = time.perf_counter() - started
    frame = sol.routes
    routes = [
        [int(i) for i in group[group["type"] == "job"]["id"]]
        for _, group in frame.groupby("vehicle_id", sort=True)
    ]
    routes = [r for r in routes if r]
    return {
        "cost": sol.summary.cost / 10,
        "seconds": seconds,
        "unassigned": int(sol.summary.unassigned),
        "routes": routes,
    }


def solve_pyvrp(path, limit):
    from pyvrp import read, solve
    from pyvrp.stop import MaxRuntime

    # 'dimacs' scales by 10 and truncates: the same whole tenths as ours.
    data = read(str(path), round_func="dimacs")
    started = time.perf_counter()
    res = solve(data, stop=MaxRuntime(limit), seed=1, display=False)
    seconds = time.perf_counter() - started
    best = res.best
    return {
        "cost": best.distance() / 10,
        "seconds": seconds,
        "feasible_by_pyvrp": bool(best.is_feasible()),
        # A route's activities: its depots and clients; client idx counts from 0, .sol from 1.
        "routes": [[a.idx + 1 for a in r if a.is_client()] for r in best.routes()],
    }


def main():
    engine, data, limit = sys.argv[1], pathlib.Path(sys.argv[2]), float(sys.argv[3])
    solver = {"vroom": solve_vroom, "pyvrp": solve_pyvrp}[engine]
    names = sys.argv[4:] or sorted(p.stem for p in data.glob("*.vrp"))
    for name in names:
        out = solver(data / f"{name}.vrp", limit)
        print(json.dumps({"instance": name, "engine": engine, **out}), flush=True)


if __name__ == "__main__":
    main()
