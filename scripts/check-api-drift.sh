#!/usr/bin/env bash
# Fails when API.md differs from what jsii-docgen generated for the current
# code (the compile step regenerates it just before this runs).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! git rev-parse --git-dir >/dev/null 2>&1 || ! git ls-files --error-unmatch API.md >/dev/null 2>&1; then
  echo "api-drift: not a git checkout with a committed API.md; nothing to compare" >&2
  exit 0
fi
if ! git diff --quiet -- API.md; then
  git --no-pager diff --stat -- API.md >&2
  echo "API.md is out of date: run 'npx projen compile' and commit API.md" >&2
  exit 1
fi
echo "API.md is current"
