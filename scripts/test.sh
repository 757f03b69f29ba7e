#!/usr/bin/env bash
# The project's whole test command (README "Run all tests"; .ci/run calls it).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== go vet"
go vet ./...

echo "== gofmt"
# Tracked and new files alike (a file deleted but not yet committed skipped).
unformatted=$(gofmt -l $( (git ls-files -co --exclude-standard '*.go' 2>/dev/null || find . -name '*.go') |
	while read -r f; do [ -f "$f" ] && echo "$f"; done))
if [ -n "$unformatted" ]; then
	echo "gofmt needed on:"; echo "$unformatted"; exit 1
fi

echo "== go test -race"
go test -race -count=1 -timeout 15m ./...

echo "== short fuzz runs (the RESP parser, the chaos API with traffic, the scenario parser)"
fuzz_time=${RESCLI_FUZZTIME:-10s}
go test -run '^$' -fuzz '^FuzzParseRequest$' -fuzztime "$fuzz_time" ./pkg/chaos/
go test -run '^$' -fuzz '^FuzzToxicAPI$' -fuzztime "$fuzz_time" ./pkg/chaos/
go test -run '^$' -fuzz '^FuzzParse$' -fuzztime "$fuzz_time" ./pkg/chaos/scenario/
