// Package scenario runs chaos experiments written as YAML files: a
// steady-state hypothesis checked before and after, a method (a timeline of
// proxy faults, server-side faults and herds, with probes during it), abort
// conditions, and rollbacks that always run — on success, on failure and on
// interrupt. A run yields a timeline report; the hypothesis holding before
// and after is the verdict.
package scenario
