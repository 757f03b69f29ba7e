#!/usr/bin/env bash
# Compare redis-benchmark straight to Redis with the same run through
# `rescli chaos proxy`, side by side in one run, and print the ratios.
# Starts its own redis-server and proxies on free loopback ports.
#
# Beside them runs scripts/floorproxy, the least a user-space proxy can do
# (one epoll loop, read and write, nothing else): its column is the best any
# proxy can reach on this machine in this run, and "vs floor" is rescli's
# throughput against it.
#
#   scripts/bench-proxy.sh            # default request counts
#   N=1000000 scripts/bench-proxy.sh  # more requests per run
#   TOXIPROXY=/path/to/toxiproxy-server scripts/bench-proxy.sh
#                                     # also run Toxiproxy, same Redis, same run
# (build one outside the repo: go build github.com/Shopify/toxiproxy/v2/cmd/server)
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-200000}          # requests per pipelined / plain run
NCHURN=${NCHURN:-10000} # requests per connection-churn run (one connection each)
ROUNDS=${ROUNDS:-2}     # direct and proxied alternate this many times; the best of each counts
ONLY=${ONLY:-}          # "throughput" or "latency" to run one part
TOXIPROXY=${TOXIPROXY:-}

for bin in redis-server redis-benchmark redis-cli go; do
	command -v "$bin" >/dev/null || { echo "bench-proxy: $bin not found" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() {
	local p
	while :; do
		p=$((10000 + RANDOM % 22000)) # below the ephemeral range
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

wait_port() {
	for _ in $(seq 200); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	echo "bench-proxy: nothing listens on $1" >&2
	exit 2
}

go build -o "$work/rescli" ./cmd/rescli
go build -o "$work/floorproxy" ./scripts/floorproxy

rport=$(free_port)
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
	--logfile "$work/redis.log" --dir "$work" &
pids+=($!)
wait_port "$rport"

pport=$(free_port)
"$work/rescli" chaos proxy --listen "127.0.0.1:$pport" --upstream "127.0.0.1:$rport" --api off >/dev/null &
proxy_pid=$!
pids+=($!)
wait_port "$pport"

fport=$(free_port)
"$work/floorproxy" -listen "127.0.0.1:$fport" -upstream "127.0.0.1:$rport" &
floor_pid=$!
pids+=($!)
wait_port "$fport"

xport=""
if [ -n "$TOXIPROXY" ]; then
	tport=$(free_port)
	"$TOXIPROXY" -host 127.0.0.1 -port "$tport" >/dev/null 2>&1 &
	pids+=($!)
	wait_port "$tport"
	xport=$(free_port)
	curl -fsS -o /dev/null -X POST "http://127.0.0.1:$tport/proxies" \
		-d "{\"name\":\"redis\",\"listen\":\"127.0.0.1:$xport\",\"upstream\":\"127.0.0.1:$rport\"}"
	wait_port "$xport"
fi

zport=$(free_port)
"$work/rescli" chaos proxy --name zero --listen "127.0.0.1:$zport" --upstream "127.0.0.1:$rport" --api off \
	--toxic latency,latency=0,stream=downstream >/dev/null &
pids+=($!)
wait_port "$zport"

lport=$(free_port)
"$work/rescli" chaos proxy --name lat --listen "127.0.0.1:$lport" --upstream "127.0.0.1:$rport" --api off \
	--toxic latency,latency=1,stream=downstream >/dev/null &
pids+=($!)
wait_port "$lport"

# bench PORT ARGS... prints "test rps p50" lines (best rps of ROUNDS runs
# is chosen by the caller).
bench() {
	local port=$1; shift
	redis-benchmark -h 127.0.0.1 -p "$port" --csv "$@" 2>/dev/null |
		awk 'NR > 1 { gsub(/"/, ""); split($0, f, ","); print f[1], f[2], f[5] }'
}

# cpu_ticks PID: user+system clock ticks the process used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# compare LABEL REQUESTS ARGS...: direct vs proxied (and Toxiproxy), best
# of ROUNDS each, and rescli's and the floor's CPU time per request (less
# noisy than throughput on a shared machine).
compare() {
	local label=$1 n=$2; shift 2
	: >"$work/direct"; : >"$work/proxy"; : >"$work/floor"; : >"$work/toxi"
	local ticks=0 fticks=0 t0 tests
	tests=$(echo "$@" | awk '{ for (i = 1; i < NF; i++) if ($i == "-t") print split($(i+1), a, ",") }')
	for _ in $(seq "$ROUNDS"); do
		bench "$rport" -n "$n" "$@" >>"$work/direct"
		t0=$(cpu_ticks "$proxy_pid")
		bench "$pport" -n "$n" "$@" >>"$work/proxy"
		ticks=$((ticks + $(cpu_ticks "$proxy_pid") - t0))
		t0=$(cpu_ticks "$floor_pid")
		bench "$fport" -n "$n" "$@" >>"$work/floor"
		fticks=$((fticks + $(cpu_ticks "$floor_pid") - t0))
		if [ -n "$xport" ]; then bench "$xport" -n "$n" "$@" >>"$work/toxi"; fi
	done
	local us fus
	per_request() {
		awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$n" -v r="$ROUNDS" -v k="$tests" \
			'BEGIN { printf "%.1f", t / hz * 1e6 / (n * r * k) }'
	}
	us=$(per_request "$ticks")
	fus=$(per_request "$fticks")
	awk -v label="$label" -v us="$us" -v fus="$fus" '
		FILENAME ~ /direct$/ { if ($2 > d[$1]) { d[$1] = $2; dl[$1] = $3 }; order[$1] = 1; next }
		FILENAME ~ /proxy$/ { if ($2 > p[$1]) { p[$1] = $2; pl[$1] = $3 }; next }
		FILENAME ~ /floor$/ { if ($2 > f[$1]) f[$1] = $2; next }
		{ if ($2 > x[$1]) x[$1] = $2 }
		END {
			for (t in order) {
				tx = (t in x) ? sprintf("%6.2fx", x[t] / d[t]) : "     -"
				printf "%-20s %-12s %10.0f %10.0f %6.2fx %8.3f %8.3f %8s %6.2fx %7.2fx %8s %9s\n", label, t, d[t], p[t], p[t] / d[t], dl[t], pl[t], us, f[t] / d[t], p[t] / f[t], fus, tx
			}
		}
	' "$work/direct" "$work/proxy" "$work/floor" "$work/toxi" | sort
}

if [ "$ONLY" != latency ]; then
	printf '%-20s %-12s %10s %10s %7s %8s %8s %8s %7s %8s %8s %9s\n' "scenario" "test" "direct rps" "proxy rps" "ratio" "p50 dir" "p50 prx" "cpu us/r" "floor" "vs floor" "floor us" "toxiproxy"
	compare "-c 50 -P 16" "$((N * 4))" -t set,get -c 50 -P 16
	compare "-c 50 -P 1" "$N" -t set,get -c 50 -P 1
	compare "-c 50 -k 0 (churn)" "$NCHURN" -t ping -c 50 -k 0
	echo
fi
[ "$ONLY" = throughput ] && exit 0

echo "latency fault of 1 ms (downstream), GET p50 in ms (0 ms: the inspecting path alone):"
printf '%-10s %10s %10s %10s %10s\n' "clients" "proxy" "0 ms" "1 ms" "added"
for c in 1 50; do
	n=$((c == 1 ? 5000 : 50000))
	base=$(bench "$pport" -t get -c "$c" -n "$n" | awk '{ print $3 }')
	zero=$(bench "$zport" -t get -c "$c" -n "$n" | awk '{ print $3 }')
	lat=$(bench "$lport" -t get -c "$c" -n "$n" | awk '{ print $3 }')
	awk -v c="$c" -v b="$base" -v z="$zero" -v l="$lat" 'BEGIN { printf "%-10s %10.3f %10.3f %10.3f %10.3f\n", c, b, z, l, l - b }'
done
