#!/usr/bin/env bash
# Installs the Terraform lint tools at pinned versions into a cache outside the repository:
#   tflint v0.64.0 and tflint-ruleset-aws v0.48.0 (built with the Go toolchain from the module proxy)
#   checkov 3.3.* (into its own Python venv, from PyPI)
# Idempotent: a second run with everything present returns at once.
# Last line of output: the bin folder holding tflint and checkov. The AWS ruleset plugin lives in
# "<bin>/../tflint-plugins" (use it as TFLINT_PLUGIN_DIR; scripts/lint-terraform.sh does).
set -euo pipefail

TFLINT_VERSION=v0.64.0
TFLINT_RULESET_AWS_VERSION=v0.48.0
CHECKOV_VERSION_SPEC='3.3.*'

CACHE_ROOT="${S3DS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/s3-direct-sync/tools}"
BIN_DIR="$CACHE_ROOT/bin"
PLUGIN_DIR="$CACHE_ROOT/tflint-plugins"
mkdir -p "$BIN_DIR" "$PLUGIN_DIR"

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "install-lint-tools: '$1' is required to install $2 ($3)" >&2
    exit 1
  fi
}

# go_tool NAME VERSION MODULE PACKAGE BUILT_BINARY
# A throwaway module pins the exact version: plain `go install pkg@version` also asks the proxy for
# the module's version list, which some proxies refuse (403 on @v/list).
go_tool() {
  local name=$1 version=$2 module=$3 package=$4 built=$5
  local dir="$CACHE_ROOT/$name-$version"
  if [ ! -x "$dir/bin/$built" ]; then
    need go "$name" "install Go 1.22+ from your package manager"
    echo "install-lint-tools: building $name $version (first run only, takes a few minutes)" >&2
    rm -rf "$dir/build" && mkdir -p "$dir/build" "$dir/bin"
    (
      cd "$dir/build"
      go mod init "s3ds-tools/$name" >/dev/null 2>&1
      printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$package" > tools.go
      printf '\nrequire %s %s\n' "$module" "$version" >> go.mod
      GOFLAGS=-mod=mod go mod tidy >&2
      GOBIN="$dir/bin" CGO_ENABLED=0 go install -trimpath "$package" >&2
    )
    rm -rf "$dir/build"
  fi
}

install_tflint() {
  go_tool tflint "$TFLINT_VERSION" github.com/terraform-linters/tflint \
    github.com/terraform-linters/tflint tflint
  ln -sfn "$CACHE_ROOT/tflint-$TFLINT_VERSION/bin/tflint" "$BIN_DIR/tflint"
}

install_ruleset_aws() {
  go_tool tflint-ruleset-aws "$TFLINT_RULESET_AWS_VERSION" github.com/terraform-linters/tflint-ruleset-aws \
    github.com/terraform-linters/tflint-ruleset-aws tflint-ruleset-aws
  # tflint finds plugins as "tflint-ruleset-<name>" in TFLINT_PLUGIN_DIR; a copy (not a link) keeps
  # the plugin dir self-contained. Copy only when it differs, so reruns stay instant.
  local src="$CACHE_ROOT/tflint-ruleset-aws-$TFLINT_RULESET_AWS_VERSION/bin/tflint-ruleset-aws"
  if ! cmp -s "$src" "$PLUGIN_DIR/tflint-ruleset-aws"; then
    cp "$src" "$PLUGIN_DIR/tflint-ruleset-aws.tmp"
    chmod 0755 "$PLUGIN_DIR/tflint-ruleset-aws.tmp"
    mv -f "$PLUGIN_DIR/tflint-ruleset-aws.tmp" "$PLUGIN_DIR/tflint-ruleset-aws"
  fi
}

install_checkov() {
  local label="${CHECKOV_VERSION_SPEC//\*/x}"
  local dir="$CACHE_ROOT/checkov-$label"
  if [ ! -x "$dir/venv/bin/checkov" ] || [ ! -f "$dir/.installed" ]; then
    local py
    py="$(command -v python3 || true)"
    [ -n "$py" ] || need python3 checkov "install Python 3.9+ with venv support"
    echo "install-lint-tools: installing checkov $CHECKOV_VERSION_SPEC into a venv (first run only)" >&2
    rm -rf "$dir" && mkdir -p "$dir"
    "$py" -m venv "$dir/venv" >&2
    "$dir/venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION_SPEC" >&2
    "$dir/venv/bin/checkov" --version > "$dir/.installed"
  fi
  ln -sfn "$dir/venv/bin/checkov" "$BIN_DIR/checkov"
}

install_tflint
install_ruleset_aws
install_checkov

echo "$BIN_DIR"
