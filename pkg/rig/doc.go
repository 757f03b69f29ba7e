// Package rig is the bench every client-side fault needs: a chaos proxy in
// front of every data node of a target, a dialer that sends each connection
// for a node's real address to that node's proxy — so a Cluster redirect and
// the master the Sentinels name after a failover land on a proxy too — and
// managers tuned to notice a fault and recover from it in seconds. watch
// --chaos, verify's client-path check, chaos run and herd all build on it.
package rig
