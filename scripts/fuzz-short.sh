#!/usr/bin/env bash
# Runs every Fuzz target in the module for a short time. go test accepts one
# -fuzz target per package per run, so the targets are listed and run in turn.
set -euo pipefail
fuzztime=${1:-4s}
cd "$(dirname "$0")/.."
count=0
while IFS= read -r file; do
  pkg=./$(dirname "$file")
  for target in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)' "$file" | awk '{print $2}'); do
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" >/tmp/tfdrift-fuzz.log 2>&1 || {
      cat /tmp/tfdrift-fuzz.log; echo "fuzz: $pkg $target failed"; exit 1; }
    count=$((count + 1))
  done
done < <(git ls-files --cached --others --exclude-standard '*_test.go' | xargs grep -l '^func Fuzz' | sort)
echo "fuzz: $count targets ran for $fuzztime each, no failures"
