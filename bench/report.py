#!/usr/bin/env python3
"""bench/report.py JSON BASE [GOAL...]: the table of one hyperfine run
(its --export-json), each mean as a ratio to BASE's, then each goal with
its figure and PASS or FAIL. A GOAL is NAME/OTHER<=RATIO (the ratio of two
means) or NAME-OTHER<=MS (the difference of two means, in ms); without the
bound it is a figure printed for what it explains, with no verdict. The goals
are the ones the project set itself (docs/hacking.md, "Speed")."""
import json
import re
import sys


def main(argv):
    results = {r["command"]: r for r in json.load(open(argv[1]))["results"]}
    base = results[argv[2]]["mean"]
    print(f"\nmean time, and as a ratio to {argv[2]}:")
    for name, r in results.items():
        m = r["mean"]
        print(f"  {name:22s} {m * 1e3:8.3f} ms  ± {r['stddev'] * 1e3:6.3f}   ratio {m / base:5.2f}")
    for goal in argv[3:]:
        # Names may hold '-': the split is the one that names two results.
        g = next((m for m in (re.fullmatch(rf"({re.escape(a)})([/-])(.+?)(?:<=([0-9.]+))?", goal)
                              for a in results) if m and m[3] in results), None)
        if not g:
            sys.exit(f"report.py: bad goal {goal!r}")
        a, op, b = results[g[1]]["mean"], g[2], results[g[3]]["mean"]
        if op == "/":
            figure, text = a / b, f"{g[1]} / {g[3]} = {a / b:.2f}"
        else:
            figure, text = (a - b) * 1e3, f"{g[1]} - {g[3]} = {(a - b) * 1e3:+.2f} ms"
        if g[4] is None:
            print(f"figure: {text}")
            continue
        limit = float(g[4])
        unit = "" if op == "/" else " ms"
        print(f"goal: {text} (goal <= {limit:.2f}{unit}): {'PASS' if figure <= limit else 'FAIL'}")


if __name__ == "__main__":
    main(sys.argv)
