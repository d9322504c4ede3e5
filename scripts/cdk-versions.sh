#!/usr/bin/env bash
# Zero warnings from the library on three aws-cdk-lib versions: the floor of the
# peer range (package.json peerDependencies), the development version
# (devDependencies) and the newest one checked (CDK_NEWEST, default below).
#
# For each version, installs the published tarball (`npx projen package:js`) in
# a fresh app with that aws-cdk-lib, as a user would, synthesizes the reference
# app (bin/) and every example (examples/*.ts) in their own Node.js processes,
# and records every jsii deprecation message, Node.js process warning, warning
# or error annotation and stray stderr line, with the code that caused it
# (scripts/library-warnings.ts). Fails on any of them; aws-cdk-lib's own
# deprecation noise passes only when listed there by API and calling module.
#
# On the newest version (the last one listed) it also runs cdk-nag's
# AwsSolutions pack over the reference app the way the README tells users to:
# as a policy validation plugin, `Validations.of(app).addPlugins(new
# AwsSolutionsChecks())`, whose report fails `app.synth()` on an
# unacknowledged error or warning. (2.278 gives plugins the construct tree
# cdk-nag 3 needs; on 2.257 and 2.252 the plugin itself fails synth with
# "NagPack requires a construct tree on the validation context".)
#
# The examples' NodejsFunction (token-client-consumer) is not bundled
# (context aws:cdk:bundling-stacks = []): bundling is the example's, not the
# library's.
#
# Usage: scripts/cdk-versions.sh [WORKDIR]   (default WORKDIR: a new mktemp -d)
# Environment:
#   CDK_NEWEST=2.278.0        the newest aws-cdk-lib to check
#   CDK_VERSIONS="a b c"      check these versions instead of floor, development, newest
#   CDK_VERSIONS_TARBALL=...  use this npm tarball instead of packing one
#   CDK_VERSIONS_JOBS=2       apps synthesized at once
# Needs node, the repository's node_modules, and the npm registry (or a warm
# npm cache: installs use --prefer-offline, so CI caching ~/.npm makes them
# local).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${1:-$(mktemp -d -t cdk-versions.XXXXXX)}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
JOBS="${CDK_VERSIONS_JOBS:-2}"
export AWS_REGION="${AWS_REGION:-us-east-1}" CDK_DISABLE_CLI_TELEMETRY=true

cd "$ROOT"
STARTED=$SECONDS
step() { echo; echo "== $* ($((SECONDS - STARTED)) s)"; }
CDK_FLOOR=$(node -p "require('./package.json').peerDependencies['aws-cdk-lib'].replace(/^[\^~]/, '')")
CDK_DEV=$(node -p "require('./package.json').devDependencies['aws-cdk-lib'].replace(/^[\^~]/, '')")
CDK_NEWEST="${CDK_NEWEST:-2.278.0}"
CONSTRUCTS_RANGE=$(node -p "require('./package.json').peerDependencies.constructs")
ESBUILD_VERSION=$(node -p "require('esbuild/package.json').version")
read -r -a VERSIONS <<< "${CDK_VERSIONS:-$CDK_FLOOR $CDK_DEV $CDK_NEWEST}"
NAG_VERSION="${VERSIONS[${#VERSIONS[@]}-1]}"
echo "workdir: $WORK"
echo "aws-cdk-lib versions: ${VERSIONS[*]} (floor $CDK_FLOOR, development $CDK_DEV); AwsSolutions on $NAG_VERSION"

step "1. the published tarball"
if [ -n "${CDK_VERSIONS_TARBALL:-}" ]; then
  TARBALL="$(cd "$(dirname "$CDK_VERSIONS_TARBALL")" && pwd)/$(basename "$CDK_VERSIONS_TARBALL")"
else
  # jsii compiles lib/ into out/ and .jsii; compile again only when a source is newer.
  if [ ! -f .jsii ] || [ -n "$(find lib -name '*.ts' -newer .jsii -print -quit)" ]; then npx projen compile; fi
  rm -rf dist/js
  npx projen package:js >/dev/null
  TARBALL=$(ls "$ROOT"/dist/js/*.tgz)
fi
echo "tarball: $TARBALL"

step "2. the apps, compiled once: the reference app and the examples, importing the package by name"
SRC="$WORK/src"
rm -rf "$SRC" "$WORK/js" && mkdir -p "$SRC/bin" "$SRC/examples/consumer"
for f in reference-stack reference-variant app-compliance; do
  sed "s#from '../lib'#from 'cdk-cognito-m2m'#" "bin/$f.ts" > "$SRC/bin/$f.ts"
done
cat > "$SRC/reference-app.ts" <<'TS'
import { App } from 'aws-cdk-lib';
import { ReferenceStack } from './bin/reference-stack';

const app = new App();
new ReferenceStack(app, 'CognitoM2mReference');
app.synth();
TS
# What the README tells users: AwsSolutions as a policy validation plugin; an unacknowledged error fails synth.
cat > "$SRC/reference-app-nag.ts" <<'TS'
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ReferenceStack } from './bin/reference-stack';

const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks());
new ReferenceStack(app, 'CognitoM2mReference');
app.synth();
TS
cp examples/*.ts "$SRC/examples/"
cp examples/consumer/*.ts "$SRC/examples/consumer/"
npx esbuild --log-level=warning --format=cjs --platform=node --target=node20 --outbase="$SRC" --outdir="$WORK/js" \
  $(cd "$SRC" && find . -name '*.ts' ! -name '*.d.ts' | sed "s#^\./#$SRC/#")
npx esbuild --log-level=warning --format=cjs --platform=node --target=node20 --outfile="$WORK/js/library-warnings.js" scripts/library-warnings.ts
APPS=(reference-app.js $(cd "$WORK/js" && ls examples/*.js))
echo "${#APPS[@]} apps: ${APPS[*]}"

FAILED=()
for V in "${VERSIONS[@]}"; do
  step "3. aws-cdk-lib $V: install"
  DIR="$WORK/cdk-$V"
  rm -rf "$DIR" && mkdir -p "$DIR"
  printf '{ "name": "cdk-versions-app", "private": true }\n' > "$DIR/package.json"
  # esbuild: NodejsFunction (token-client-consumer) looks for it when constructed, and builds a Docker image without it.
  EXTRA=("esbuild@$ESBUILD_VERSION")
  if [ "$V" = "$NAG_VERSION" ]; then EXTRA+=("cdk-nag@$(node -p "require('cdk-nag/package.json').version")"); fi
  (cd "$DIR" && npm install --no-audit --no-fund --prefer-offline --loglevel=error \
    "aws-cdk-lib@$V" "constructs@$CONSTRUCTS_RANGE" "${EXTRA[@]}" "$TARBALL")
  INSTALLED=$(cd "$DIR" && node -p "require('aws-cdk-lib/package.json').version")
  if [ "$INSTALLED" != "$V" ]; then echo "installed aws-cdk-lib $INSTALLED, expected $V" >&2; exit 1; fi
  # The compiled apps, and their sources next to them (the NodejsFunction's entry is a .ts file).
  cp -r "$WORK/js/." "$SRC/." "$DIR/"

  step "3. aws-cdk-lib $V: synthesize ${#APPS[@]} apps, $JOBS at a time"
  REPORT="$DIR/warnings.jsonl"
  rm -f "$REPORT"
  export DIR V REPORT
  # Each app: its own process and cloud assembly; output kept in <app>.log; a non-zero exit is a failure.
  printf '%s\n' "${APPS[@]}" | xargs -P "$JOBS" -I{} bash -c '
    name="{}"; log="$DIR/${name%.js}.log"; mkdir -p "$(dirname "$log")"
    started=$SECONDS
    if (cd "$DIR" && LIBRARY_WARNINGS_REPORT="$REPORT" LIBRARY_WARNINGS_APP="$V $name" CDK_OUTDIR="$DIR/out/${name%.js}" \
        CDK_CONTEXT_JSON="{\"aws:cdk:bundling-stacks\":[]}" node -r ./library-warnings.js "./$name") > "$log" 2>&1; then
      echo "  synthesized $name ($((SECONDS - started)) s)"
    else
      echo "  FAILED to synthesize $name: see $log"; sed "s/^/    /" "$log" | tail -20; touch "$DIR/synth-failed"
    fi'
  if [ -f "$DIR/synth-failed" ]; then FAILED+=("aws-cdk-lib $V: an app failed to synthesize"); fi
  if ! node "$WORK/js/library-warnings.js" summarize "$REPORT"; then FAILED+=("aws-cdk-lib $V: warnings"); fi

  if [ "$V" = "$NAG_VERSION" ]; then
    step "4. aws-cdk-lib $V: AwsSolutions over the reference app, as the README says (Validations.of(app).addPlugins)"
    if (cd "$DIR" && CDK_OUTDIR="$DIR/out/reference-app-nag" node ./reference-app-nag.js) > "$DIR/reference-app-nag.log" 2>&1; then
      echo "  AwsSolutions: no unacknowledged error"
    else
      sed "s/^/    /" "$DIR/reference-app-nag.log" | tail -40
      FAILED+=("aws-cdk-lib $V: AwsSolutions over the reference app")
    fi
  fi
done

step "done"
if [ ${#FAILED[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${FAILED[@]}" >&2
  exit 1
fi
echo "aws-cdk-lib ${VERSIONS[*]}: the reference app and $((${#APPS[@]} - 1)) examples synthesize with no warning; AwsSolutions passes on $NAG_VERSION ($((SECONDS - STARTED)) s)"
