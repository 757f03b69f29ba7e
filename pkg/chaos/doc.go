// Package chaos injects faults between Redis clients and a Redis server: it
// is a TCP proxy that delays, throttles, slices, drops and resets bytes
// (Toxiproxy's "toxics", with a direction) and, while a Redis-level fault is
// set, parses RESP requests to refuse connections like a full server
// (maxclients), answer exact Redis errors, delay chosen commands or play a
// restart — replies kept in order, pipelines included. A Server holds several
// named proxies and serves a Toxiproxy-compatible HTTP control API; every
// injected fault is counted and every random choice comes from one seed.
package chaos
