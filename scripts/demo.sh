#!/usr/bin/env bash
# The end-to-end demo on a fresh machine: installs what it needs (cached after the first run),
# starts a local S3 server (versitygw), generates a Binance-shaped archive of a few thousand
# objects, runs `sync`, prints the report, runs `sync` again and shows nothing was copied.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/install-tools.sh core >/dev/null
npm run --silent build
exec npx tsx scripts/demo.ts "$@"
