#!/usr/bin/env bash
# Builds the Python, Java and Go packages of cdk-cognito-m2m for real and uses each one:
# the README's Quick start, written in that language (consumers/<language>/), is
# synthesized against the built package and its template compared with the template
# of the TypeScript Quick start. .NET stays code-only (`npm test` generates it with
# `jsii-pacmak --code-only`): there is no .NET toolchain on these machines.
#
#   python  `npx projen package:python` builds the wheel (dist/python); a fresh virtualenv
#           installs it with aws-cdk-lib and constructs from PyPI; consumers/python/app.py synthesizes.
#   java    `npx projen package:java` builds the jar with Maven (a Maven repository under
#           dist/java); consumers/java (Maven, aws-cdk-lib from Maven Central) compiles and synthesizes.
#   go      `npx projen package:go` generates the module (dist/go) and builds it against aws-cdk-go
#           from the Go module proxy; `go vet` checks it; consumers/go builds and synthesizes.
# The package tasks are the ones users run (README, Install): they compile when needed and check
# that the packages' READMEs, docstrings and Javadoc are in their language.
#
# Usage: scripts/language-consumers.sh [WORKDIR]
#   WORKDIR (default: a new mktemp -d) receives venv/, <language>.out/, ts.out/ and
#   timings.txt; the packages are in the repository's dist/. Needs the repository's
#   node_modules, python3 (>= 3.10) with venv, Maven with a JDK 17, Go, and access to PyPI,
#   Maven Central, the Go module proxy and the npm registry (scripts/supported-node.sh: the
#   packages run the library in Node.js, on a release jsii supports).
# Exit status: non-zero when a step fails or any template differs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${1:-$(mktemp -d -t language-consumers.XXXXXX)}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
TIMINGS="$WORK/timings.txt"
: > "$TIMINGS"
DIST="$ROOT/dist"

export AWS_REGION="${AWS_REGION:-us-east-1}"
# Python, Java and Go run the library in the `node` in PATH: a release jsii supports.
source "$ROOT/scripts/supported-node.sh"

step() { echo; echo "== $*"; }
timed() { # timed LABEL CMD... : runs CMD, appends "LABEL <seconds>s" to timings.txt
  local label="$1"; shift
  local start end
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  printf '%-22s %6.1fs\n' "$label" "$(awk "BEGIN { print $end - $start }")" | tee -a "$TIMINGS"
}
compare() { python3 "$ROOT/scripts/consumers/compare-templates.py" "$@"; }

cd "$ROOT"
# The versions the TypeScript side builds against: every consumer uses the same ones.
CDK_VERSION=$(node -p "require('./package.json').devDependencies['aws-cdk-lib']")
CONSTRUCTS_VERSION=$(node -p "require('./package.json').devDependencies['constructs']")
echo "workdir: $WORK"
echo "aws-cdk-lib $CDK_VERSION, constructs $CONSTRUCTS_VERSION (peer: $(node -p "JSON.stringify(require('./package.json').peerDependencies)"))"
echo "python: $(python3 --version 2>&1); java: $(java -version 2>&1 | head -1); maven: $(mvn -v 2>/dev/null | head -1); go: $(go version)"

step "1. the packages: npx projen package:python, package:java (built), package:go (in the background)"
# The first one compiles and translates the examples (compile-if-needed, rosetta:extract); the others
# find both current.
timed "package:python" npx projen package:python
timed "package:java" npx projen package:java
WHEEL=$(ls "$DIST"/python/*.whl)
ls -la "$DIST/python"
find "$DIST/java" -name '*.jar' -exec ls -la {} +

# The Go module's first build compiles aws-cdk-go (CPU-bound, minutes on 2 cores): it runs in the
# background while the Python and Java steps below mostly wait on PyPI and Maven Central.
GOMOD_DIR="$DIST/go/cdkcognitom2m"
GO_LOG="$WORK/go-build.log"
(timed "package:go" npx projen package:go && cd "$GOMOD_DIR" && timed "go vet module" go vet ./...) > "$GO_LOG" 2>&1 &
GO_PID=$!

step "2. synth the README's TypeScript Quick start (from lib/)"
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
TS_TEMPLATE="$WORK/ts.out/Orders.template.json"

step "3. Python: the wheel's README and docstrings, a fresh virtualenv, consumers/python/app.py"
# The README inside the wheel (what PyPI shows) and its docstrings: no TypeScript left in them.
python3 scripts/consumers/readme-fences.py python "$WHEEL"
rm -rf "$WORK/venv"
python3 -m venv "$WORK/venv"
timed "pip install" "$WORK/venv/bin/pip" install --disable-pip-version-check -q \
  "$WHEEL" "aws-cdk-lib==$CDK_VERSION" "constructs==$CONSTRUCTS_VERSION"
du -sh "$WORK/venv"
rm -rf "$WORK/python.out"
(cd "$ROOT/consumers/python" && CDK_OUTDIR="$WORK/python.out" timed "python synth" "$WORK/venv/bin/python" app.py)
compare python "$WORK/python.out/Orders.template.json" "$TS_TEMPLATE"

step "4. Java: the jar's Javadoc, consumers/java with Maven, the jar from pacmak's repository"
python3 scripts/consumers/readme-fences.py java "$(ls "$DIST"/java/io/github/cdk-cognito-m2m/cdk-cognito-m2m/0.0.0/*-sources.jar)"
rm -rf "$WORK/java.out" "$WORK/java-target"
# Maven copies a release version from a repository into its local repository once and never
# looks again, so a jar from an earlier run would be used instead of the one just built.
# Remove the library's cached copy first, and check afterwards that the jar used is this one.
M2_LOCAL="$(printf '%s\n' "${MAVEN_OPTS:-}" | sed -n 's/.*-Dmaven\.repo\.local=\([^ ]*\).*/\1/p')"
if [ -z "$M2_LOCAL" ] && [ -f "$HOME/.m2/settings.xml" ]; then
  M2_LOCAL="$(sed -n 's:.*<localRepository>\(.*\)</localRepository>.*:\1:p' "$HOME/.m2/settings.xml" | head -1)"
fi
M2_LOCAL="${M2_LOCAL:-$HOME/.m2/repository}"
M2_LIB="$M2_LOCAL/io/github/cdk-cognito-m2m/cdk-cognito-m2m/0.0.0"
rm -rf "$M2_LIB"
(cd "$ROOT/consumers/java" && CDK_OUTDIR="$WORK/java.out" timed "java build+synth" \
  mvn -B -q -Dpacmak.repo="$DIST/java" -Dcdk.version="$CDK_VERSION" -Dconstructs.version="$CONSTRUCTS_VERSION" \
  -DbuildDirectory="$WORK/java-target" compile exec:java)
if ! cmp -s "$M2_LIB/cdk-cognito-m2m-0.0.0.jar" "$DIST/java/io/github/cdk-cognito-m2m/cdk-cognito-m2m/0.0.0/cdk-cognito-m2m-0.0.0.jar"; then
  echo "Maven did not use the jar built in step 1 (looked in $M2_LIB)" >&2
  exit 1
fi
echo "java: Maven used the jar built in step 1 ($M2_LIB)"
compare java "$WORK/java.out/Orders.template.json" "$TS_TEMPLATE"

step "5. Go: the generated module (built in the background since step 1), then consumers/go"
if ! wait "$GO_PID"; then
  cat "$GO_LOG"
  echo "the Go module did not build" >&2
  exit 1
fi
cat "$GO_LOG"
cp -r "$ROOT/consumers/go" "$WORK/go-consumer"
(cd "$WORK/go-consumer" \
  && go mod edit -replace "github.com/cdk-cognito-m2m/cdk-cognito-m2m-go/cdkcognitom2m=$GOMOD_DIR" \
  && go mod tidy \
  && timed "go consumer build" go build -o orders . \
  && rm -rf "$WORK/go.out" \
  && CDK_OUTDIR="$WORK/go.out" timed "go synth" ./orders)
# Go hands struct fields over in another order: the deployment's hash differs (compare-templates.py).
compare go "$WORK/go.out/Orders.template.json" "$TS_TEMPLATE" --deployment-hash-may-differ

echo
echo "== timings ($WORK/timings.txt)"
cat "$TIMINGS"
