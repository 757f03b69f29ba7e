#!/usr/bin/env bash
# Validates goreleaser.yaml and smoke-builds a snapshot for this machine.
# Installs goreleaser v2.15.1 with `go install` when it is missing (a few
# minutes the first time; later runs reuse $(go env GOPATH)/bin).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:$(go env GOPATH)/bin"
if ! command -v goreleaser >/dev/null 2>&1; then
	echo "== installing goreleaser v2.15.1 (go install)"
	go install github.com/goreleaser/goreleaser/v2@v2.15.1
fi
echo "== goreleaser check"
goreleaser check
echo "== goreleaser build --snapshot --single-target"
dist=$(mktemp -d)
trap 'rm -rf "$dist"' EXIT
goreleaser build --snapshot --clean --single-target --output "$dist/rescli"
"$dist/rescli" version
# The snapshot above builds this machine's target only; build the other
# operating systems goreleaser ships too, so an OS-specific call (a Unix
# signal, a Linux syscall) cannot break a release unnoticed.
for target in darwin/arm64 windows/amd64; do
	echo "== go build for $target"
	GOOS=${target%/*} GOARCH=${target#*/} go build -o /dev/null ./cmd/rescli
done
