#!/usr/bin/env bash
# Measures the herd simulator itself: wall time and peak memory (max RSS) of
# `rescli herd` at 40, 400 and 4,000 services on the embedded server, naive
# and managed strategies, one replica. Usage: scripts/bench-herd.sh [sizes...]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(mktemp -d)/rescli
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/rescli
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(40 400 4000)
printf '%-9s %-9s %-10s %s\n' services wall_s max_rss_MiB "per strategy: ready/degraded/failed, rejected"
for n in "${sizes[@]}"; do
	out=$(mktemp)
	/usr/bin/time -f '%e %M' -o "$out.time" "$bin" herd --services "$n" -o json >"$out"
	read -r wall rss <"$out.time"
	summary=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print("; ".join("%s %d/%d/%d, %d rejected" % (s["name"], s["ready"], s["degraded"], s["failed"], s["rejected_connections"]) for s in d["strategies"]))' "$out")
	printf '%-9s %-9s %-10s %s\n' "$n" "$wall" "$((rss / 1024))" "$summary"
	rm -f "$out" "$out.time"
done
