// Package chaos injects faults between Redis clients and a Redis server: it
// is a TCP proxy that delays, throttles, slices, drops and resets bytes
// (Toxiproxy's "toxics", with a direction) and, while a Redis-level fault is
// set, parses RESP requests to refuse connections like a full server
// (maxclients), answer exact Redis errors, delay chosen commands or play a
// restart — replies kept in order, pipelines included. A made-up reply is
// put in place by a stand-in: the proxy sends Redis an ECHO of a token
// instead of the request and swaps the answer, so it lands exactly where
// Redis's own reply would (ECHO shows in Redis's command stats and MONITOR).
// A Server holds several named proxies and serves a Toxiproxy-compatible
// HTTP control API (RequireToken guards it with a token); every injected
// fault is counted and every random choice comes from one seed. Every
// fault attribute has a range (AttributesOf) checked wherever a fault is
// built, and a panic in a connection ends that connection only.
package chaos
