#!/usr/bin/env bash
# Measures the herd simulator itself: wall time and peak memory (max RSS) of
# `rescli herd` (naive and managed, 4 replicas, a limit of 1,000 client
# connections) at 400, 4,000 and 20,000 services, run three ways:
#   embedded  one process, the embedded server (limit at the proxy)
#   local     one process, against a redis-server this script starts
#             (--maxclients 1000: the server's own limit)
#   split4    4 processes (--replica-index 0..3, one --start-at) against the
#             same redis-server, merged with `rescli herd merge`; wall time
#             is from the common start to the last process's exit, RSS the
#             largest of the four
# and says whether the simulator reported itself saturated. Not part of
# `go test`. Usage: scripts/bench-herd.sh [sizes...]  (needs redis-server,
# python3 and GNU time at /usr/bin/time). The machine's load average is
# printed before each run: other work on the machine changes the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
bin=$work/rescli
srv_pid=
cleanup() {
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
go build -o "$bin" ./cmd/rescli
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --maxclients 1000 \
	--tcp-backlog 4096 --daemonize no --logfile "$work/redis.log" &
srv_pid=$!
url=redis://127.0.0.1:$port
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(400 4000 20000)
summary() { # the report's strategies and saturation, one line
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
parts=["%s %d/%d/%d peak %d" % (s["name"], s["ready"], s["degraded"], s["failed"], s["peak_connections"]) for s in d["strategies"]]
sim=d["simulator"]
print("; ".join(parts) + (" · SATURATED" if sim["saturated"] else " · ok") + " (max CPU %.0f%%, wait %.0f%%)" % (sim["cpu_percent"], sim["cpu_wait_percent"]))' "$1"
}
printf '%-8s %-9s %-8s %-12s %s\n' services mode wall_s max_rss_MiB "ready/degraded/failed per strategy · simulator"
for n in "${sizes[@]}"; do
	common=(herd --services "$n" --replicas 4 -o json)
	echo "# load: $(cut -d' ' -f1-3 /proc/loadavg)"
	/usr/bin/time -f '%e %M' -o "$work/t" "$bin" "${common[@]}" --embedded --maxclients 1000 >"$work/out.json"
	read -r wall rss <"$work/t"
	printf '%-8s %-9s %-8s %-12s %s\n' "$n" embedded "$wall" "$((rss / 1024))" "$(summary "$work/out.json")"

	echo "# load: $(cut -d' ' -f1-3 /proc/loadavg)"
	/usr/bin/time -f '%e %M' -o "$work/t" "$bin" "${common[@]}" --redis-url "$url" >"$work/out.json"
	read -r wall rss <"$work/t"
	printf '%-8s %-9s %-8s %-12s %s\n' "$n" local "$wall" "$((rss / 1024))" "$(summary "$work/out.json")"

	echo "# load: $(cut -d' ' -f1-3 /proc/loadavg)"
	start_epoch=$(($(date +%s) + 3))
	start=$(date -u -d "@$start_epoch" +%FT%TZ)
	pids=()
	for i in 0 1 2 3; do
		/usr/bin/time -f '%M' -o "$work/t$i" "$bin" "${common[@]}" --redis-url "$url" \
			--replica-index "$i" --start-at "$start" >"$work/part$i.json" &
		pids+=($!)
	done
	failed=0
	for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
	end=$(date +%s.%N)
	wall=$(python3 -c "print('%.2f' % ($end - $start_epoch))")
	rss=$(grep -h '^[0-9]*$' "$work"/t? | sort -n | tail -1)
	if [ "$failed" = 0 ] && "$bin" herd merge -o json "$work"/part?.json >"$work/out.json"; then
		printf '%-8s %-9s %-8s %-12s %s\n' "$n" split4 "$wall" "$((rss / 1024))" "$(summary "$work/out.json")"
	else
		printf '%-8s %-9s %-8s %-12s %s\n' "$n" split4 "$wall" "$((rss / 1024))" "a process failed (stderr above)"
	fi
done
