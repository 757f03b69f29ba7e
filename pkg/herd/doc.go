// Package herd simulates many services starting at once against one Redis —
// the thundering herd — once per client strategy, and measures what each did
// to the server: connections (counted exactly by an in-process pkg/chaos proxy
// in front of the target), maxclients rejections, commands, retries, start-up
// times. With no target it serves an embedded miniredis behind the proxy with
// a connection limit, so it runs on a machine with nothing installed.
package herd
