# Shared by scripts/deploy.sh and scripts/run-task.sh (sourced, not run): exit codes, usage from
# the calling script's header comment, messages, dry-run aware command runner, and the ENV argument.
# The caller sets PROG (the message prefix) before sourcing, then calls `parse_env_arg "$@"; shift`.

EX_USAGE=64
EX_UNAVAILABLE=69
EX_NOPERM=77
EX_CONFIG=78

# The calling script's leading comment block is its help text.
usage() {
  local line
  while IFS= read -r line; do
    case $line in
      '#!'*) ;;
      '#'*) line=${line#\#}; printf '%s\n' "${line# }" ;;
      *) break ;;
    esac
  done <"$0"
}
die() {
  local code=$1
  shift
  printf '%s: %s\n' "$PROG" "$*" >&2
  exit "$code"
}
note() { printf '%s: %s\n' "$PROG" "$*" >&2; }

# Words as a shell would need them typed.
quote() {
  local w out=()
  for w in "$@"; do
    if [[ $w =~ ^[A-Za-z0-9_./:=,@%+-]+$ ]]; then out+=("$w"); else out+=("'${w//\'/\'\\\'\'}'"); fi
  done
  printf '%s' "${out[*]}"
}

DRY=0
# Runs a command, or prints it in a dry run.
run() {
  if [ "$DRY" = 1 ]; then
    printf '[dry-run] %s\n' "$(quote "$@")"
  else
    printf '+ %s\n' "$(quote "$@")" >&2
    "$@"
  fi
}

# The first argument: help, or an environment name.
parse_env_arg() {
  if [ $# -eq 0 ]; then
    usage >&2
    exit $EX_USAGE
  fi
  case $1 in -h | --help)
    usage
    exit 0
    ;;
  esac
  ENV_NAME=$1
  case $ENV_NAME in dev | staging | prod) ;; *) die $EX_USAGE "ENV must be dev, staging or prod, got '$ENV_NAME'" ;; esac
}
