#!/usr/bin/env bash
# Measures what `rescli watch` costs to leave running: CPU (% of one core)
# of `rescli watch --plain` on N real redis-servers (default 5) at the
# default refresh, probe rate and server-panel interval, over D seconds
# (default 60), from /proc/PID/stat (utime+stime). The goal is under 3 %.
# Other processes on the machine do not count in the figure, but a loaded
# machine makes everything slower: run it when the machine is quiet.
# Usage: scripts/bench-watch.sh [targets] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5}
secs=${2:-60}
command -v redis-server >/dev/null || { echo "bench-watch: redis-server not found in PATH" >&2; exit 2; }
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/rescli" ./cmd/rescli

# n servers on free loopback ports, persistence off
urls=()
for i in $(seq 1 "$n"); do
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	mkdir -p "$work/r$i"
	redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work/r$i" \
		--logfile "$work/r$i/log" >/dev/null 2>&1 &
	pids+=($!)
	urls+=(--redis-url "redis://127.0.0.1:$port")
done
for u in "${urls[@]}"; do
	[[ $u == redis://* ]] || continue
	port=${u##*:}
	for _ in $(seq 1 50); do
		redis-cli -p "$port" ping >/dev/null 2>&1 && break
		sleep 0.1
	done
done

hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime, in clock ticks

"$work/rescli" watch --plain "${urls[@]}" >"$work/watch.log" 2>&1 &
watch_pid=$!
pids+=("$watch_pid")
sleep 5 # start-up (dials, first resolve) is not what stays running
t0=$(cpu_ticks "$watch_pid")
s0=$(date +%s.%N)
sleep "$secs"
t1=$(cpu_ticks "$watch_pid")
s1=$(date +%s.%N)
kill -INT "$watch_pid"
wait "$watch_pid" 2>/dev/null || true

summaries=$(grep -c ' state=' "$work/watch.log" || true)
servers=$(grep -c ' server 127.0.0.1:' "$work/watch.log" || true)
python3 - "$t0" "$t1" "$s0" "$s1" "$hz" "$n" "$summaries" "$servers" <<'PY'
import sys
t0, t1, s0, s1, hz, n, summ, srv = (float(x) for x in sys.argv[1:])
cpu = (t1 - t0) / hz
wall = s1 - s0
pct = 100 * cpu / wall
print(f"rescli watch --plain, {int(n)} targets, default refresh: {cpu:.2f}s CPU over {wall:.1f}s = {pct:.2f}% of one core "
      f"({int(summ)} summary lines, {int(srv)} server lines); goal < 3%: {'ok' if pct < 3 else 'OVER'}")
PY
