#!/usr/bin/env bash
# The lowest aws-cdk-lib the package accepts, tested: installs the published tarball
# (`npx projen package:js`) in a fresh app together with aws-cdk-lib and constructs at
# the floors of the package's peer ranges, synthesizes the reference app (bin/) against
# them, synthesizes it again on the development version, and fails unless both give
# the same resources (logical ids and types) in every stack.
#
# npm enforces peer ranges while installing, so a floor the range does not accept fails
# here as it would for a user (ERESOLVE).
#
# Usage: scripts/peer-floor.sh [WORKDIR]   (default WORKDIR: a new mktemp -d)
# Needs node, the repository's node_modules, and the npm registry.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${1:-$(mktemp -d -t peer-floor.XXXXXX)}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
export AWS_REGION="${AWS_REGION:-us-east-1}"

cd "$ROOT"
floor() { node -p "require('./package.json').peerDependencies['$1'].replace(/^[\^~]/, '')"; }
CDK_FLOOR=$(floor aws-cdk-lib)
CONSTRUCTS_FLOOR=$(floor constructs)
CDK_DEV=$(node -p "require('aws-cdk-lib/package.json').version")
echo "workdir: $WORK"
echo "peer floor: aws-cdk-lib $CDK_FLOOR, constructs $CONSTRUCTS_FLOOR; development: aws-cdk-lib $CDK_DEV"

echo; echo "== 1. the published tarball"
if [ ! -f .jsii ]; then npx projen compile; fi
rm -rf dist/js
npx projen package:js
TARBALL=$(ls "$ROOT"/dist/js/*.tgz)

echo; echo "== 2. a fresh app: the tarball with aws-cdk-lib@$CDK_FLOOR and constructs@$CONSTRUCTS_FLOOR"
APP="$WORK/app"
rm -rf "$APP" && mkdir -p "$APP"
printf '{ "name": "floor-app", "private": true }\n' > "$APP/package.json"
(cd "$APP" && npm install --no-audit --no-fund --loglevel=error \
  "aws-cdk-lib@$CDK_FLOOR" "constructs@$CONSTRUCTS_FLOOR" "$TARBALL")
INSTALLED=$(cd "$APP" && node -p "require('aws-cdk-lib/package.json').version")
if [ "$INSTALLED" != "$CDK_FLOOR" ]; then
  echo "installed aws-cdk-lib $INSTALLED, expected the floor $CDK_FLOOR" >&2
  exit 1
fi

echo; echo "== 3. synth the reference app on aws-cdk-lib $CDK_FLOOR"
# The reference stack imports the package by name, as a user's app does.
for f in reference-stack reference-variant app-compliance; do
  sed "s#from '../lib'#from 'cdk-cognito-m2m'#" "bin/$f.ts" > "$APP/$f.ts"
done
cat > "$APP/app.ts" <<'TS'
import { App } from 'aws-cdk-lib';
import { ReferenceStack } from './reference-stack';

const app = new App();
new ReferenceStack(app, 'CognitoM2mReference');
app.synth();
TS
npx esbuild --log-level=warning --format=cjs --platform=node --outdir="$APP" "$APP/app.ts" "$APP/reference-stack.ts" "$APP/reference-variant.ts" "$APP/app-compliance.ts"
rm -rf "$WORK/floor.out"
(cd "$APP" && CDK_OUTDIR="$WORK/floor.out" node app.js)

echo; echo "== 4. synth the reference app on aws-cdk-lib $CDK_DEV (development)"
rm -rf "$WORK/dev.out"
CDK_OUTDIR="$WORK/dev.out" npx ts-node --prefer-ts-exts bin/app.ts

echo; echo "== 5. compare"
python3 - "$WORK/floor.out" "$WORK/dev.out" "$CDK_FLOOR" "$CDK_DEV" <<'PY'
import glob, json, os, sys

floor_dir, dev_dir, floor_v, dev_v = sys.argv[1:5]
names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(dev_dir, "*.template.json")))
if not names:
    sys.exit("no template synthesized on the development version")
failed = False
for name in names:
    floor_path = os.path.join(floor_dir, name)
    if not os.path.exists(floor_path):
        print(f"{name}: missing on {floor_v}")
        failed = True
        continue
    floor = json.load(open(floor_path))["Resources"]
    dev = json.load(open(os.path.join(dev_dir, name)))["Resources"]
    ids_floor = {k: v["Type"] for k, v in floor.items()}
    ids_dev = {k: v["Type"] for k, v in dev.items()}
    differ = sorted(k for k in ids_dev if k in floor and floor[k] != dev[k])
    print(f"{name}: {len(ids_floor)} resources on {floor_v}, {len(ids_dev)} on {dev_v}; "
          f"same logical ids and types: {ids_floor == ids_dev}; "
          f"resources whose properties differ: {len(differ)}")
    for k in differ[:20]:
        print(f"  {k} ({dev[k]['Type']})")
    if ids_floor != ids_dev:
        for k in sorted(set(ids_floor) ^ set(ids_dev)):
            print(f"  only on {floor_v if k in ids_floor else dev_v}: {k} ({ids_floor.get(k) or ids_dev.get(k)})")
        failed = True
sys.exit(1 if failed else 0)
PY
echo "peer floor aws-cdk-lib $CDK_FLOOR: the reference app synthesizes with the same resources as on $CDK_DEV"
