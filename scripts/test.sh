#!/usr/bin/env bash
# The full test suite: installs what it needs (cached after the first run), builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/install-tools.sh core toxiproxy >/dev/null
npm run --silent typecheck
npm run --silent build
npx vitest run "$@"
