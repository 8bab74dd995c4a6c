#!/usr/bin/env bash
# Benchmark: this job against s5cmd, rclone and `aws s3 sync`, in the same run, on a local S3 server.
# Options are passed to scripts/bench.ts (see its header: --quick, --sections, --out FILE, --runs N, --plan-keys, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/install-tools.sh bench >/dev/null
npm run --silent build
exec npx tsx scripts/bench.ts "$@"
