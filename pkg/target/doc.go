// Package target owns what a Redis target is, for every rescli command and
// package: it parses each URL form rescli accepts (one server, a master
// behind Sentinels, a Cluster; TLS and ACL credentials on each), redacts it
// for people, and resolves it against the live deployment — the master the
// Sentinels name now and its replicas, every master and replica of a Cluster
// with the slots each owns. Resolve asks again each time it is called, so a
// caller that needs the master after a failover simply resolves again. No
// other package parses a Redis URL or dials a Sentinel to find a master.
package target
