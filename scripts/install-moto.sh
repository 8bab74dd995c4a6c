#!/usr/bin/env bash
# Installs moto's server (moto[server] 5.2.*, from PyPI) into its own Python venv in the tools cache:
#   ${S3DS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/s3-direct-sync/tools}/moto-5.2/venv
# moto_server is one local endpoint for CloudWatch, CloudWatch Logs, ECS, Secrets Manager, STS,
# EventBridge Scheduler... (tests only; ECS tasks do not really run).
# Idempotent: a second run with moto present only checks a stamp file and returns at once.
# Last line of output: the venv's bin folder (holding moto_server).
set -euo pipefail

MOTO_SPEC='5.2.*'
MOTO_LABEL='5.2'

CACHE_ROOT="${S3DS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/s3-direct-sync/tools}"
DIR="$CACHE_ROOT/moto-$MOTO_LABEL"
VENV="$DIR/venv"
STAMP="$DIR/.installed"

mkdir -p "$CACHE_ROOT"
# Test files start in parallel: one installs, the others wait for it.
exec 8>"$CACHE_ROOT/.moto.lock"
flock 8
if [ ! -x "$VENV/bin/moto_server" ] || [ ! -f "$STAMP" ]; then
  py="$(command -v python3 || true)"
  if [ -z "$py" ]; then
    echo "install-moto: 'python3' (3.9+ with the venv module) is required to install moto $MOTO_SPEC" >&2
    exit 1
  fi
  if ! "$py" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    echo "install-moto: $py lacks the venv/ensurepip modules (Debian: apt-get install python3-venv)" >&2
    exit 1
  fi
  echo "install-moto: installing moto[server] $MOTO_SPEC into $VENV (first run only)" >&2
  # The stamp is written last, after moto imports at the right version: an interrupted install has
  # no stamp, so the next run starts it again from scratch. (A venv's scripts carry its absolute
  # path, so it is built where it lives rather than renamed into place.)
  rm -rf "$DIR" && mkdir -p "$DIR"
  "$py" -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_SPEC" >&2
  "$VENV/bin/python" -c 'import moto; print(moto.__version__)' > "$STAMP.tmp"
  case "$(cat "$STAMP.tmp")" in
    5.2.*) mv -f "$STAMP.tmp" "$STAMP" ;;
    *) echo "install-moto: expected moto $MOTO_SPEC, got $(cat "$STAMP.tmp")" >&2; rm -f "$STAMP.tmp"; exit 1 ;;
  esac
fi

echo "$VENV/bin"
