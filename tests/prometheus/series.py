#!/usr/bin/env python3
"""Turns a Prometheus text file certgate wrote into promtool's input_series.

promtool's clock starts at 0, so every *_timestamp_seconds value is shifted by the run's own
certgate_sync_last_run_timestamp_seconds (or certgate_edge_last_run_timestamp_seconds): the run
happened at t=0, and an eval_time of 27d means 27 days after it. Each sample stays constant for
SAMPLES steps of the test's interval.

  series.py FILE SAMPLES  ->  YAML list items on stdout, indented for input_series
"""
import re
import sys

path, samples = sys.argv[1], int(sys.argv[2])
lines = [l for l in open(path) if l.strip() and not l.startswith("#")]
sample = re.compile(r"^([a-z_:][a-z0-9_:]*)(\{[^}]*\})?\s+(\S+)$")
rows = []
for line in lines:
    m = sample.match(line.strip())
    if not m:
        sys.exit(f"{path}: not a sample line: {line!r}")
    rows.append((m.group(1), m.group(2) or "", float(m.group(3))))
t0 = next((v for n, _, v in rows if n in ("certgate_sync_last_run_timestamp_seconds",
                                         "certgate_edge_last_run_timestamp_seconds")), None)
if t0 is None:
    sys.exit(f"{path}: no last_run timestamp")
for name, labels, value in rows:
    if name.endswith("_timestamp_seconds"):
        value -= t0
    series = name + labels
    print(f"      - series: '{series}'")
    print(f"        values: '{value:g}x{samples}'")
