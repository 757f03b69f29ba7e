#!/usr/bin/env bash
# Regenerates docs/man, docs/markdown, docs/schemas and completions/ from the command tree
# (internal/cli's TestGeneratedDocsAreCurrent fails when they drift).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf docs/man docs/markdown docs/schemas completions
mkdir -p completions
go run ./cmd/rescli docs man docs/man
go run ./cmd/rescli docs markdown docs/markdown
go run ./cmd/rescli docs schemas docs/schemas
for shell in bash zsh fish; do
	go run ./cmd/rescli completion "$shell" > "completions/rescli.$shell"
done
