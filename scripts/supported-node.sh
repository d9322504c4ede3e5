# Sourced (`source scripts/supported-node.sh`) by scripts that run jsii's tools or the Python,
# Java and Go packages: they run the library on the `node` found in PATH, and jsii supports a
# Node.js release only until six months after its end of life (Node 20: end of life 2026-04-30,
# unsupported by jsii since 2026-10-30), printing an end-of-life banner to every user on one it
# no longer supports.
#
# When the `node` in PATH is a release jsii supports (its own table, @jsii/check-node), this
# changes nothing. Otherwise it puts Node.js $SUPPORTED_NODE_VERSION (the active LTS) first in
# PATH: the official binary, installed once from the npm registry (the node-linux-<arch>
# package, which the `node` package on npm installs too) into
# ${XDG_CACHE_HOME:-~/.cache}/cdk-cognito-m2m/. Needs the npm registry the first time.
SUPPORTED_NODE_VERSION="${SUPPORTED_NODE_VERSION:-24.21.0}"

supported_node_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Before `npm install` (a fresh clone) jsii's table is not there yet: Node.js 22 and 24 count as supported then.
if (cd "$supported_node_root" && node -e '
  let check;
  try { check = require("@jsii/check-node"); } catch {
    process.exit(["22", "24"].includes(process.versions.node.split(".")[0]) ? 0 : 1);
  }
  const { nodeRelease, knownBroken } = check.NodeRelease.forThisRuntime();
  process.exit(nodeRelease && nodeRelease.supported && !nodeRelease.deprecated && !knownBroken ? 0 : 1);'); then
  echo "node: $(node -v), supported by jsii"
else
  case "$(uname -m)" in
    x86_64) supported_node_arch=x64 ;;
    aarch64 | arm64) supported_node_arch=arm64 ;;
    *) echo "supported-node.sh: no Node.js package for $(uname -m); install Node.js 22 or 24 and put it first in PATH" >&2; return 1 ;;
  esac
  supported_node_pkg="node-linux-$supported_node_arch"
  supported_node_dir="${XDG_CACHE_HOME:-$HOME/.cache}/cdk-cognito-m2m/node-v$SUPPORTED_NODE_VERSION-$supported_node_arch"
  supported_node_bin="$supported_node_dir/node_modules/$supported_node_pkg/bin"
  if [ ! -x "$supported_node_bin/node" ]; then
    echo "node: $(node -v) is not a release jsii supports; installing Node.js $SUPPORTED_NODE_VERSION ($supported_node_pkg from the npm registry) into $supported_node_dir"
    mkdir -p "$supported_node_dir"
    npm install --prefix "$supported_node_dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      "$supported_node_pkg@$SUPPORTED_NODE_VERSION" >&2
  fi
  export PATH="$supported_node_bin:$PATH"
  hash -r
  echo "node: $(node -v) from $supported_node_bin (first in PATH)"
fi
unset supported_node_root supported_node_arch supported_node_pkg supported_node_dir supported_node_bin
