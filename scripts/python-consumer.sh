#!/usr/bin/env bash
# Builds the Python package of cdk-cognito-m2m for real (jsii-pacmak, not --code-only),
# installs the wheel in a fresh virtualenv with aws-cdk-lib and constructs from PyPI,
# synthesizes consumers/python/app.py (the README's Quick start in Python), synthesizes
# the README's TypeScript Quick start too, and compares the two templates.
#
# Usage: scripts/python-consumer.sh [WORKDIR]
#   WORKDIR (default: a new mktemp -d) receives pacmak-py/, venv/, py.out/, ts.out/,
#   ts-quickstart.ts and timings.txt. Needs node, npm (the repo's node_modules),
#   python3 (>= 3.10) with venv, and access to PyPI.
# Exit status: non-zero when a step fails or the templates differ.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${1:-$(mktemp -d -t python-consumer.XXXXXX)}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
TIMINGS="$WORK/timings.txt"
: > "$TIMINGS"

export AWS_REGION="${AWS_REGION:-us-east-1}"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="${JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION:-20}"

step() { echo; echo "== $*"; }
timed() { # timed LABEL CMD... : runs CMD, appends "LABEL <seconds>s" to timings.txt
  local label="$1"; shift
  local start end
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  printf '%-22s %6.1fs\n' "$label" "$(awk "BEGIN { print $end - $start }")" | tee -a "$TIMINGS"
}

cd "$ROOT"
# The versions the TypeScript side builds against: the consumer installs the same ones.
CDK_VERSION=$(node -p "require('./package.json').devDependencies['aws-cdk-lib']")
CONSTRUCTS_VERSION=$(node -p "require('./package.json').devDependencies['constructs']")
echo "workdir: $WORK"
echo "aws-cdk-lib==$CDK_VERSION constructs==$CONSTRUCTS_VERSION (peer: $(node -p "JSON.stringify(require('./package.json').peerDependencies)"))"

step "1. jsii-pacmak --target python (build the wheel)"
if [ ! -f .jsii ]; then
  timed "compile" npx projen compile
fi
# --no-npmignore: pacmak would otherwise rewrite the repository's .npmignore.
# --rosetta-translate-live: the wheel's README carries the snippets in Python, not TypeScript.
timed "pacmak python" npx jsii-pacmak --target python --rosetta-translate-live --outdir "$WORK/pacmak-py" --no-npmignore
WHEEL=$(ls "$WORK"/pacmak-py/python/*.whl)
ls -la "$WORK/pacmak-py/python"
# The README inside the wheel (what PyPI shows): no TypeScript left in its python fences.
python3 - "$WHEEL" <<'PY'
import re, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as whl:
    meta = next(n for n in whl.namelist() if n.endswith('.dist-info/METADATA'))
    text = whl.read(meta).decode('utf-8')
blocks = re.findall(r"```python\n(.*?)```", text, re.S)
typescript = [b for b in blocks if re.search(r"=>|\bnew [A-Z]|\bconst |: string\b|\bimport \{", b)]
print(f"wheel README: {len(blocks)} python snippet(s), {len(typescript)} still TypeScript")
if not blocks or typescript:
    print(typescript[0][:400] if typescript else "no python snippet", file=sys.stderr)
    sys.exit(1)
PY

step "2. fresh virtualenv + pip install (wheel, aws-cdk-lib, constructs)"
rm -rf "$WORK/venv"
python3 -m venv "$WORK/venv"
timed "pip install" "$WORK/venv/bin/pip" install --disable-pip-version-check -q \
  "$WHEEL" "aws-cdk-lib==$CDK_VERSION" "constructs==$CONSTRUCTS_VERSION"
du -sh "$WORK/venv"

step "3. synth consumers/python/app.py"
rm -rf "$WORK/py.out"
(cd "$ROOT/consumers/python" && CDK_OUTDIR="$WORK/py.out" timed "python synth" "$WORK/venv/bin/python" app.py)

step "4. synth the README's TypeScript Quick start (from lib/)"
# The Quick start block of README.md, importing the library from lib/ instead of by name.
node -e '
const fs = require("fs");
const md = fs.readFileSync(process.argv[1], "utf8");
const section = md.split("## Quick start")[1];
const block = section.split("```ts\n")[1].split("\n```")[0];
fs.writeFileSync(process.argv[2],
  block.replace("from \x27cdk-cognito-m2m\x27", "from \x27" + process.argv[3] + "/lib\x27") + "\napp.synth();\n");
' README.md "$WORK/ts-quickstart.ts" "$ROOT"
rm -rf "$WORK/ts.out"
# The file lives outside the repository: resolve aws-cdk-lib from the repository's node_modules,
# and compile it as CommonJS (the repository's tsconfig says node16).
CDK_OUTDIR="$WORK/ts.out" NODE_PATH="$ROOT/node_modules" \
TS_NODE_COMPILER_OPTIONS="{\"module\":\"commonjs\",\"moduleResolution\":\"node\",\"baseUrl\":\"$ROOT\",\"paths\":{\"*\":[\"node_modules/*\"]}}" \
  timed "ts synth" npx ts-node --prefer-ts-exts "$WORK/ts-quickstart.ts"

step "5. compare the templates"
python3 - "$WORK/py.out/Orders.template.json" "$WORK/ts.out/Orders.template.json" <<'PY'
import difflib, json, re, sys

HASH = re.compile(r"[0-9a-f]{64}")

def norm(o):
    """Drops Metadata keys; replaces asset hashes (64 hex digits) with <hash>."""
    if isinstance(o, dict):
        return {HASH.sub("<hash>", k): norm(v) for k, v in o.items() if k != "Metadata"}
    if isinstance(o, list):
        return [norm(v) for v in o]
    if isinstance(o, str):
        return HASH.sub("<hash>", o)
    return o

py_path, ts_path = sys.argv[1:3]
raw_py, raw_ts = (json.load(open(p)) for p in (py_path, ts_path))
print("byte-identical:", open(py_path, "rb").read() == open(ts_path, "rb").read())
print("equal as JSON (nothing dropped):", raw_py == raw_ts)
py, ts = norm(raw_py), norm(raw_ts)
for name, t in (("python", raw_py), ("typescript", raw_ts)):
    print(f"{name}: {len(t['Resources'])} resources, {len(t.get('Outputs', {}))} outputs")
ids_py = {k: v["Type"] for k, v in py["Resources"].items()}
ids_ts = {k: v["Type"] for k, v in ts["Resources"].items()}
print("same logical ids and types:", ids_py == ids_ts)
if py == ts:
    print("templates equal (Metadata dropped, asset hashes masked)")
    sys.exit(0)
a = json.dumps(py, indent=1, sort_keys=True).splitlines()
b = json.dumps(ts, indent=1, sort_keys=True).splitlines()
sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(a, b, "python", "typescript", lineterm=""))
sys.exit(1)
PY

echo
echo "== timings ($WORK/timings.txt)"
cat "$TIMINGS"
