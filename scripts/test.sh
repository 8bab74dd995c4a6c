#!/usr/bin/env bash
# The full test suite: installs what it needs (cached after the first run), builds, runs every test.
# Every tool is installed here, before vitest starts: the tests only locate them (scripts/tools.ts).
# Levels: test/unit (pure), test/integration (versitygw, moto), test/infra (image, Terraform lint, scripts).
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

# A fresh clone, or a lock file newer than what is installed (a dependency was added).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund; fi
BIN=$(bash scripts/install-tools.sh core toxiproxy node24 | tail -n 1)
bash scripts/install-moto.sh >/dev/null
# The Terraform linters too (Go build and pip install on a new machine), so no test waits on them.
[ "${S3DS_SKIP_LINT:-}" = 1 ] || bash scripts/install-lint-tools.sh >/dev/null
npm run --silent typecheck
# ESLint, Prettier's check and the import-cycle check: CI fails on any finding.
npm run --silent lint
npm run --silent build
# The image ships Node 24 and the machine may have Node 20: the pure unit tests run under Node 24
# too, then every level under the machine's Node.
if [ $# -eq 0 ]; then
  echo "== unit tests under $("$BIN/node24" --version)"
  "$BIN/node24" node_modules/vitest/vitest.mjs run test/unit
fi
npx vitest run "$@"
