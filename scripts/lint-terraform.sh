#!/usr/bin/env bash
# Lints the Terraform code: tflint (with the AWS ruleset) on the module and the root, then on the root
# with each environment's tfvars; checkov on terraform/ once per environment's tfvars (and on docker/
# when it has files); and `terraform fmt -check` when a terraform binary happens to be installed
# (never required). Exits non-zero on any finding.
# Tools come from scripts/install-lint-tools.sh (installed on first use).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BIN_DIR="$(bash "$ROOT/scripts/install-lint-tools.sh" | tail -n 1)" || {
  echo "lint-terraform: installing the lint tools failed" >&2
  exit 1
}
export TFLINT_PLUGIN_DIR="$(cd "$BIN_DIR/.." && pwd)/tflint-plugins"
TFLINT="$BIN_DIR/tflint"
CHECKOV="$BIN_DIR/checkov"

failed=()

echo "== tflint ($("$TFLINT" --version | head -n 1))"
# --recursive walks every directory with .tf files (the module and the root).
if ! "$TFLINT" --chdir="$ROOT/terraform" --recursive --config="$ROOT/.tflint.hcl" --format=compact --minimum-failure-severity=notice; then
  failed+=(tflint)
fi
# The root's values are in the tfvars: lint it as each environment deploys it (--var-file is relative to --chdir).
ENVS_DIR="$ROOT/terraform/environments"
tfvars_files=("$ENVS_DIR"/*.tfvars)
[ -e "${tfvars_files[0]}" ] || {
  echo "lint-terraform: no tfvars in $ENVS_DIR" >&2
  exit 1
}
for tfvars in "${tfvars_files[@]}"; do
  env_name=$(basename "$tfvars" .tfvars)
  echo "-- tflint with $env_name.tfvars"
  if ! "$TFLINT" --chdir="$ENVS_DIR" --config="$ROOT/.tflint.hcl" --var-file="$env_name.tfvars" --format=compact --minimum-failure-severity=notice; then
    failed+=("tflint ($env_name)")
  fi
done

echo "== checkov ($("$CHECKOV" --version))"
# Only inline skips (#checkov:skip=CKV_...:reason) are allowed; the config file skips nothing.
# Once per environment: the checks follow the module's conditionals, which depend on the tfvars.
for tfvars in "${tfvars_files[@]}"; do
  env_name=$(basename "$tfvars" .tfvars)
  echo "-- checkov with $env_name.tfvars"
  if ! "$CHECKOV" --config-file "$ROOT/.checkov.yaml" --directory "$ROOT/terraform" --var-file "$tfvars" --compact --quiet; then
    failed+=("checkov ($env_name)")
  fi
done
if [ -d "$ROOT/docker" ] && [ -n "$(ls -A "$ROOT/docker" 2>/dev/null)" ]; then
  echo "-- checkov on docker/"
  if ! "$CHECKOV" --config-file "$ROOT/.checkov.yaml" --directory "$ROOT/docker" --compact --quiet; then
    failed+=("checkov (docker)")
  fi
fi

if command -v terraform >/dev/null 2>&1; then
  # fmt needs no CLI configuration; point a missing one at /dev/null to keep the output clean.
  if [ ! -f "${TF_CLI_CONFIG_FILE:-$HOME/.terraformrc}" ]; then export TF_CLI_CONFIG_FILE=/dev/null; fi
  echo "== terraform fmt -check ($(terraform version 2>/dev/null | head -n 1))"
  if ! terraform fmt -check -recursive -diff "$ROOT/terraform"; then
    failed+=("terraform fmt")
  fi
else
  echo "== terraform fmt: skipped (no terraform binary; it is optional)"
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "lint-terraform: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "lint-terraform: all checks passed"
