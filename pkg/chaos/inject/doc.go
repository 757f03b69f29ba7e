// Package inject applies server-side faults to a real Redis — CLIENT PAUSE,
// DEBUG SLEEP, CLIENT KILL, a lowered maxclients or maxmemory — and
// guarantees they are undone: every fault has a TTL, is planned (and refused
// if it could not be reverted, or would destroy data unacknowledged) before
// anything changes, and is written to a journal on disk before it is
// applied, so that after a crash `rescli chaos revert` restores the server.
// Faults on one server and setting compose through the journal, which is
// updated under a lock file. The journal never holds a password.
package inject
