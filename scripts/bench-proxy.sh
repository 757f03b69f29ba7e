#!/usr/bin/env bash
# What rescli's chaos proxy costs, measured side by side in one run against
# scripts/floorproxy (one epoll loop that only reads and writes: the least
# any user-space proxy can cost on this machine) and, when given, Toxiproxy.
# Starts its own redis-server and proxies on free loopback ports, prints
# tables, then each goal of issue 17 marked PASS or FAIL.
#
#   scripts/bench-proxy.sh                     # 3 rounds, medians
#   ROUNDS=5 N=400000 scripts/bench-proxy.sh   # more rounds, more requests
#   TOXIPROXY=/path/to/toxiproxy-server scripts/bench-proxy.sh
#   ONLY=throughput|latency|scale scripts/bench-proxy.sh
# Latency is measured closed-loop with redis-benchmark and open-loop with
# scripts/pacedget (50 connections each sending a GET every 10 ms): at 50
# clients redis-benchmark saturates both cores, its fault-free p50 is
# queueing, and a held reply relieves some of it, so only the open-loop
# row says what a fault adds under concurrency. A client measures more
# than the proxy's hold (its own wake-up after the wait: the control rows);
# the 1 ms proxy's rescli_chaos_latency_late_seconds histogram, read from
# its /metrics around each row, gives the proxy's own part alone.
# (build Toxiproxy outside the repo: go build github.com/Shopify/toxiproxy/v2/cmd/server)
#
# Keeping runs comparable: every figure is the median of ROUNDS runs, and
# each round runs the variants in a rotated order, so none always runs
# first (warm caches) or last (the most TIME_WAIT sockets). Connection
# churn leaves tens of thousands of sockets in TIME_WAIT for 60 s, which
# slows every later connect(2) on the machine, the direct one included; the
# script prints how many there were when each churn round began, and the
# spread (lowest-highest round) of the churn ratios.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-200000}          # requests per -P 1 run (4x that with -P 16)
NCHURN=${NCHURN:-10000} # requests per churn run, one connection each
ROUNDS=${ROUNDS:-3}
ONLY=${ONLY:-}
TOXIPROXY=${TOXIPROXY:-}
case $ONLY in
'' | throughput | latency | scale) ;;
*) echo "bench-proxy: ONLY=throughput, latency or scale" >&2; exit 2 ;;
esac

for bin in redis-server redis-benchmark redis-cli go ss; do
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

# Idle connections for the scale test: 10,000, or as many as the
# descriptor limit lets the proxy hold (two each) with room to spare.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
IDLE=$(($(ulimit -n) / 2 - 1000))
IDLE=$((IDLE > 10000 ? 10000 : IDLE))

go build -o "$work/rescli" ./cmd/rescli
go build -o "$work/floorproxy" ./scripts/floorproxy
go build -o "$work/connscale" ./scripts/connscale
go build -o "$work/pacedget" ./scripts/pacedget

rport=$(free_port)
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
	--maxclients $((IDLE + 3000)) --enable-debug-command local --logfile "$work/redis.log" --dir "$work" &
pids+=($!)
wait_port "$rport"

declare -A port pid
# proxy NAME ARGS...: a rescli proxy in front of Redis.
proxy() {
	local name=$1; shift
	port[$name]=$(free_port)
	"$work/rescli" chaos proxy --name "$name" --listen "127.0.0.1:${port[$name]}" --upstream "127.0.0.1:$rport" \
		--api off "$@" >/dev/null &
	pid[$name]=$!
	pids+=($!)
	wait_port "${port[$name]}"
}
port[direct]=$rport
proxy rescli
# A Redis-level fault that matches none of the benchmark's commands: every
# request is parsed, none is touched.
proxy inspect --toxic error,error=LOADING,command=flushall
proxy zero --toxic latency,latency=0,stream=downstream
lapi=$(free_port) # lat1's API: its /metrics say how late it wrote what it held
proxy lat1 --toxic latency,latency=1,stream=downstream --api "127.0.0.1:$lapi"
proxy lat100 --toxic latency,latency=100,jitter=10,stream=downstream
port[floor]=$(free_port)
"$work/floorproxy" -listen "127.0.0.1:${port[floor]}" -upstream "127.0.0.1:$rport" &
pid[floor]=$!
pids+=($!)
wait_port "${port[floor]}"
variants=(direct floor rescli inspect)
if [ -n "$TOXIPROXY" ]; then
	tport=$(free_port)
	"$TOXIPROXY" -host 127.0.0.1 -port "$tport" >/dev/null 2>&1 &
	pids+=($!)
	wait_port "$tport"
	port[toxi]=$(free_port)
	curl -fsS -o /dev/null -X POST "http://127.0.0.1:$tport/proxies" \
		-d "{\"name\":\"redis\",\"listen\":\"127.0.0.1:${port[toxi]}\",\"upstream\":\"127.0.0.1:$rport\"}"
	wait_port "${port[toxi]}"
	variants+=(toxi)
fi

# bench NAME ARGS...: "test rps p50 p99" lines of one redis-benchmark run.
bench() {
	local name=$1; shift
	redis-benchmark -h 127.0.0.1 -p "${port[$name]}" --csv "$@" 2>/dev/null |
		awk 'NR > 1 { gsub(/"/, ""); split($0, f, ","); gsub(/ /, "_", f[1]); print f[1], f[2], f[5], f[7] }'
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

results=$work/results # lines: scenario variant round test rps p50 p99
cpu=$work/cpu         # lines: scenario variant round microseconds-per-request
: >"$results"; : >"$cpu"

# round SCENARIO R REQUESTS ARGS...: every variant once, in an order
# rotated by R.
round() {
	local sc=$1 r=$2 n=$3; shift 3
	local k=${#variants[@]} i v t0 tests
	for ((i = 0; i < k; i++)); do
		v=${variants[$(((i + r) % k))]}
		t0=""
		[ -n "${pid[$v]:-}" ] && t0=$(cpu_ticks "${pid[$v]}")
		bench "$v" -n "$n" "$@" >"$work/one"
		sed "s/^/$sc $v $r /" "$work/one" >>"$results"
		tests=$(wc -l <"$work/one") # tests run (-t ping is two: PING_INLINE and PING_MBULK)
		if [ -n "$t0" ] && [ "$tests" -gt 0 ]; then
			awk -v sc="$sc" -v v="$v" -v r="$r" -v t="$(($(cpu_ticks "${pid[$v]}") - t0))" \
				-v hz="$(getconf CLK_TCK)" -v n="$n" -v k="$tests" \
				'BEGIN { printf "%s %s %s %.2f\n", sc, v, r, t / hz * 1e6 / (n * k) }' >>"$cpu"
		fi
	done
}

# The awk function every table uses: the median of a space-separated list.
MEDIAN='function median(s,   a, n, i, j, t) {
	n = split(s, a, " ")
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
}'

if [ -z "$ONLY" ] || [ "$ONLY" = throughput ]; then
	for ((r = 0; r < ROUNDS; r++)); do
		round P16 "$r" "$((N * 4))" -t set,get -c 50 -P 16
		round P1 "$r" "$N" -t set,get -c 50 -P 1
		echo "churn round $((r + 1)): $(ss -tan state time-wait | tail -n +2 | wc -l) sockets in TIME_WAIT" >&2
		round churn "$r" "$NCHURN" -t ping -c 50 -k 0
	done
	echo "throughput, median of $ROUNDS rounds (-c 50; churn: -k 0, a new connection per request)"
	printf '%-6s %-12s %10s %8s %8s %8s %8s %8s %8s %10s\n' scen test "direct" floor rescli "r/floor" "spread" inspect toxi "r/toxi"
	awk "$MEDIAN"'
		{ k = $1 SUBSEP $2 SUBSEP $4; v[k] = v[k] " " $5; seen[$1 SUBSEP $4] = 1
		  byround[$1 SUBSEP $2 SUBSEP $4 SUBSEP $3] = $5 }
		END {
			for (st in seen) {
				split(st, p, SUBSEP); sc = p[1]; t = p[2]
				d = median(v[sc SUBSEP "direct" SUBSEP t]); f = median(v[sc SUBSEP "floor" SUBSEP t])
				r = median(v[sc SUBSEP "rescli" SUBSEP t]); i = median(v[sc SUBSEP "inspect" SUBSEP t])
				x = (sc SUBSEP "toxi" SUBSEP t) in v ? median(v[sc SUBSEP "toxi" SUBSEP t]) : 0
				lo = 1e9; hi = 0
				for (n = 0; (sc SUBSEP "floor" SUBSEP t SUBSEP n) in byround; n++) {
					q = byround[sc SUBSEP "rescli" SUBSEP t SUBSEP n] / byround[sc SUBSEP "floor" SUBSEP t SUBSEP n]
					if (q < lo) lo = q; if (q > hi) hi = q
				}
				printf "%-6s %-12s %10.0f %7.2fx %7.2fx %7.2fx %4.2f-%4.2f %7.2fx %s %s\n", sc, t, d, f / d, r / d, r / f, lo, hi, i / r,
					x ? sprintf("%7.2fx", x / d) : "      -", x ? sprintf("%9.2fx", r / x) : "         -"
				printf "goal %s %s %.4f %.4f %.4f\n", sc, t, r / f, i / r, x ? r / x : -1 > "'"$work/goals"'"
			}
		}' "$results" | sort
	echo "(floor, rescli, inspect and toxi: x direct, except inspect: x rescli; spread: rescli/floor, lowest-highest round)"
	echo
	echo "CPU per request (median of rounds), microseconds"
	awk "$MEDIAN"'{ v[$1 SUBSEP $2] = v[$1 SUBSEP $2] " " $4 }
		END {
			n = split("P16 P1 churn", s, " ")
			for (j = 1; j <= n; j++) {
				r = median(v[s[j] SUBSEP "rescli"]); f = median(v[s[j] SUBSEP "floor"])
				printf "%-6s rescli %6.1f  floor %6.1f  rescli/floor %5.2f\n", s[j], r, f, r / f
				printf "cpu %s %.4f\n", s[j], r / f > "'"$work/goals.cpu"'"
			}
		}' "$cpu"
	echo
fi

lat=$work/latency # lines: fault clients variant p50 p99
late=$work/late   # lines: row le|sum|count delta (lat1's lateness histogram)
: >"$late"
# late_now: lat1's lateness histogram as "le|sum|count value" lines
# (none when /metrics does not answer).
late_now() {
	local auth=()
	[ -n "${RESCLI_CHAOS_API_TOKEN:-}" ] && auth=(-H "Authorization: Bearer $RESCLI_CHAOS_API_TOKEN")
	{ curl -fsS "${auth[@]}" "http://127.0.0.1:$lapi/metrics" || true; } | awk '
		/^rescli_chaos_latency_late_seconds_bucket/ { match($0, /le="[^"]*"/); print substr($0, RSTART + 4, RLENGTH - 5), $2 }
		/^rescli_chaos_latency_late_seconds_(sum|count)/ { sub(/\{.*/, "", $1); sub(/.*_/, "", $1); print $1, $2 }'
}
# late_row ROW CMD...: runs CMD and adds what lat1 held meanwhile to ROW;
# returns CMD's status. A histogram that could not be read adds nothing.
late_row() {
	local row=$1 rc=0; shift
	late_now >"$work/late0"
	"$@" || rc=$?
	[ -s "$work/late0" ] && late_now |
		awk -v row="$row" 'NR == FNR { b[$1] = $2; next } $1 in b { print row, $1, $2 - b[$1] }' "$work/late0" - >>"$late"
	return "$rc"
}
: >"$lat"
if [ -z "$ONLY" ] || [ "$ONLY" = latency ]; then
	for ((r = 0; r < ROUNDS; r++)); do
		for c in 1 50; do
			n=$((c == 1 ? 5000 : 50000))
			for v in rescli zero lat1; do
				late_row "$c clients" bench "$v" -t get -c "$c" -n "$n" |
					awk -v c="$c" -v v="$v" '{ print "1ms", c, v, $3, $4 }' >>"$lat"
			done
			# Jitter: the median of n uniform draws of +-10 ms strays by
			# 20/sqrt(n) ms (2 sigma): 1.4 ms at 200, 0.4 ms at 2,500. The
			# goal is judged at 50 clients; 1 client is shown, not judged.
			n=$((c == 1 ? 200 : 2500))
			bench lat100 -t get -c "$c" -n "$n" | awk -v c="$c" '{ print "100ms", c, "lat100", $3, $4 }' >>"$lat"
		done
		# Open loop: 50 connections, each sending a GET every 10 ms (5,000
		# a second in all, well below saturation), so the figure is what the
		# fault adds rather than queueing it relieves (scripts/pacedget).
		for v in rescli lat1; do
			late_row "50 paced" "$work/pacedget" -addr "127.0.0.1:${port[$v]}" -clients 50 -every 10ms -for 3s |
				sed 's/[a-z0-9_]*=//g' | awk -v v="$v" '{ print "paced", 50, v, $1, $2 }' >>"$lat" ||
				echo "bench-proxy: pacedget through $v failed; its row is missing" >&2
		done
		for s in 0 0.001; do # its control: what a 1 ms hold costs this client
			"$work/pacedget" -addr "127.0.0.1:$rport" -clients 1 -every 10ms -for 3s -cmd "DEBUG SLEEP $s" |
				sed 's/[a-z0-9_]*=//g' | awk -v s="$s" '{ print "psleep", 1, s, $1, $2 }' >>"$lat" ||
				echo "bench-proxy: pacedget's control (DEBUG SLEEP $s) failed; its row is missing" >&2
		done
		# The machine's own cost of a 1 ms hold: Redis sleeping 1 ms in a
		# command, against the same command sleeping 0, straight to Redis.
		for s in 0 0.001; do
			bench direct -c 1 -n 2000 debug sleep "$s" | awk -v s="$s" '{ print "sleep", 1, s, $3, $4 }' >>"$lat"
		done
	done
	echo "latency faults on GET, medians of $ROUNDS rounds, ms (added: against the fault-free proxy)"
	printf '%-14s %8s %8s %8s %8s %9s %9s\n' fault clients "p50 0" "p50 f" "p99 f" "p50 added" "p99 added"
	awk "$MEDIAN"'{ p50[$1 SUBSEP $2 SUBSEP $3] = p50[$1 SUBSEP $2 SUBSEP $3] " " $4; p99[$1 SUBSEP $2 SUBSEP $3] = p99[$1 SUBSEP $2 SUBSEP $3] " " $5 }
		END {
			split("1 50", cs, " ")
			for (j = 1; j <= 2; j++) {
				c = cs[j]
				b50 = median(p50["1ms" SUBSEP c SUBSEP "rescli"]); b99 = median(p99["1ms" SUBSEP c SUBSEP "rescli"])
				z = median(p50["1ms" SUBSEP c SUBSEP "zero"])
				l50 = median(p50["1ms" SUBSEP c SUBSEP "lat1"]); l99 = median(p99["1ms" SUBSEP c SUBSEP "lat1"])
				printf "%-14s %8s %8.3f %8.3f %8.3f %9.3f %9.3f\n", "1 ms", c, b50, l50, l99, l50 - b50, l99 - b99
				printf "%-14s %8s %8.3f %8.3f %8s %9.3f\n", "0 ms", c, b50, z, "", z - b50
				h = median(p50["100ms" SUBSEP c SUBSEP "lat100"])
				printf "%-14s %8s %8.3f %8.3f %8s %9.3f\n", "100 ms +-10", c, b50, h, "", h - b50
				printf "lat %s %.4f %.4f %.4f\n", c, l50 - b50, l99 - b99, h - b50 > "'"$work/goals.lat"'"
			}
			b50 = median(p50["paced" SUBSEP 50 SUBSEP "rescli"]); b99 = median(p99["paced" SUBSEP 50 SUBSEP "rescli"])
			l50 = median(p50["paced" SUBSEP 50 SUBSEP "lat1"]); l99 = median(p99["paced" SUBSEP 50 SUBSEP "lat1"])
			printf "%-14s %8s %8.3f %8.3f %8.3f %9.3f %9.3f   (open loop: a GET every 10 ms on each)\n", "1 ms paced", 50, b50, l50, l99, l50 - b50, l99 - b99
			printf "paced 50 %.4f %.4f\n", l50 - b50, l99 - b99 > "'"$work/goals.lat"'"
			s0 = median(p50["psleep" SUBSEP 1 SUBSEP 0]); s1 = median(p50["psleep" SUBSEP 1 SUBSEP 0.001])
			if (s1 > 0) printf "%-14s %8s %8.3f %8.3f %8s %9.3f   (the same client, Redis holding 1 ms itself)\n", "control paced", 1, s0, s1, "", s1 - s0
			s0 = median(p50["sleep" SUBSEP 1 SUBSEP 0]); s1 = median(p50["sleep" SUBSEP 1 SUBSEP 0.001])
			if (s1 > 0) printf "%-14s %8s %8.3f %8.3f %8s %9.3f   (Redis holding 1 ms itself: DEBUG SLEEP 0.001 against 0)\n", "control", 1, s0, s1, "", s1 - s0
		}' "$lat"
	echo "the proxy's own part of the 1 ms fault: how late it wrote what it held, past the time drawn"
	echo "(rescli_chaos_latency_late_seconds over the rows above, all rounds; a bound is the histogram bucket)"
	# Buckets in the order /metrics gives them: ascending, +Inf last.
	awk '{ k = $1 " " $2; rows[k] = 1
		  if (!((k SUBSEP $3) in d) && $3 != "sum" && $3 != "count") le[k, ++m[k]] = $3
		  d[k SUBSEP $3] += $4 }
		END {
			for (k in rows) {
				n = d[k SUBSEP "count"]
				if (n == 0) continue
				p50 = p99 = ""
				for (i = 1; i <= m[k]; i++) {
					c = d[k SUBSEP le[k, i]]
					if (p50 == "" && c >= 0.5 * n) p50 = le[k, i]
					if (p99 == "" && c >= 0.99 * n) p99 = le[k, i]
				}
				printf "  %-10s %6d holds   p50 <= %s   p99 <= %s   mean %.0f us\n", k, n, fmt(p50), fmt(p99), d[k SUBSEP "sum"] / n * 1e6
			}
		}
		function fmt(le) { return le == "+Inf" ? "+Inf" : sprintf("%g us", le * 1e6) }' "$late" | sort
	echo
fi

if [ "$IDLE" -lt 1 ]; then
	echo "scale: skipped, this shell may open only $(ulimit -n) descriptors"
elif [ -z "$ONLY" ] || [ "$ONLY" = scale ]; then
	echo "scale: $IDLE idle connections held open, then 2,000 new connections a second for 5 s"
	[ "$IDLE" -lt 10000 ] && echo "  (10,000 do not fit: this shell may open $(ulimit -n) descriptors, the proxy needs two per connection)"
	for v in rescli floor; do
		if ! line=$("$work/connscale" -addr "127.0.0.1:${port[$v]}" -pid "${pid[$v]}" -idle "$IDLE" -rate 2000 -for 5s); then
			line="connscale failed (its error is above)"
			[ "$v" = rescli ] && echo failed >"$work/goals.scale"
		elif [ "$v" = rescli ]; then
			echo "$line" >"$work/goals.scale"
		fi
		printf '%-7s %s\n' "$v" "$line"
	done
	echo
fi

# The goals of issue 17, each PASS or FAIL on this run's figures.
verdict() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo FAIL; fi; }
echo "goals"
if [ -s "$work/goals" ]; then
	while read -r _ sc t rf ir rx; do
		case $sc in
		P16 | P1)
			printf '%-4s %-58s %s\n' "$(verdict "$rf >= 0.92")" "fault-free $sc $t: rescli >= 0.92x floor" "$rf"
			printf '%-4s %-58s %s\n' "$(verdict "$ir >= 0.8")" "inspecting $sc $t: >= 0.8x fault-free" "$ir"
			;;
		churn)
			printf '%-4s %-58s %s\n' "$(verdict "$rf >= 1.0")" "churn $t: rescli >= 1.0x floor" "$rf"
			if [ "$rx" != "-1.0000" ]; then
				printf '%-4s %-58s %s\n' "$(verdict "$rx >= 2.0")" "churn $t: rescli >= 2x Toxiproxy" "$rx"
			else
				printf '%-4s %-58s\n' "n/a" "churn $t: rescli >= 2x Toxiproxy (TOXIPROXY not set)"
			fi
			;;
		esac
	done < <(sort "$work/goals")
	while read -r _ sc q; do
		[ "$sc" = churn ] && continue
		printf '%-4s %-58s %s\n' "$(verdict "$q <= 1.15")" "CPU per request $sc: rescli <= 1.15x floor" "$q"
	done <"$work/goals.cpu"
fi
if [ -s "$work/goals.lat" ]; then
	while read -r kind c a50 a99 h; do
		if [ "$kind" = paced ]; then
			printf '%-4s %-58s %s\n' "$(verdict "$a50 >= 0.9 && $a50 <= 1.1")" "1 ms fault, $c clients paced: p50 added 1.0 +- 0.1 ms" "$a50"
			printf '%-4s %-58s %s\n' "$(verdict "$a99 < 2")" "1 ms fault, $c clients paced: p99 added < 2 ms" "$a99"
			continue
		fi
		printf '%-4s %-58s %s\n' "$(verdict "$a50 >= 0.9 && $a50 <= 1.1")" "1 ms fault, $c clients: p50 added 1.0 +- 0.1 ms" "$a50"
		[ "$c" = 50 ] && printf '%-4s %-58s %s\n' "$(verdict "$a99 < 2")" "1 ms fault, 50 clients: p99 added < 2 ms" "$a99"
		if [ "$c" = 1 ]; then # 200 requests: the median of their own draws strays +-1.4 ms (2 sigma)
			printf '%-4s %-58s %s\n' info "100 +- 10 ms fault, 1 client: p50 added (200 draws)" "$h"
			continue
		fi
		printf '%-4s %-58s %s\n' "$(verdict "$h >= 98 && $h <= 102")" "100 +- 10 ms fault, $c clients: p50 added within 2 %" "$h"
	done <"$work/goals.lat"
fi
if [ "$(cat "$work/goals.scale" 2>/dev/null)" = failed ]; then
	printf '%-4s %-58s %s\n' FAIL "idle connections through one proxy" "connscale failed"
elif [ -s "$work/goals.scale" ]; then
	eval "$(tr ' ' '\n' <"$work/goals.scale" | grep -E '^(idle|fds_per_conn|rss_kib_per_conn|achieved|failed)=')"
	printf '%-4s %-58s %s\n' "$(verdict "$idle >= 10000")" "10,000 idle connections through one proxy" "$idle"
	printf '%-4s %-58s %s\n' "$(verdict "$fds_per_conn <= 2.0")" "idle connections: 2 descriptors each" "$fds_per_conn"
	printf '%-4s %-58s %s\n' "$(verdict "$rss_kib_per_conn < 8")" "idle connections: under 8 KiB each (RSS growth)" "$rss_kib_per_conn KiB"
	printf '%-4s %-58s %s\n' "$(verdict "$achieved >= 1900 && $failed == 0")" "2,000 new connections/s while they are open" "$achieved/s, $failed failed"
fi
