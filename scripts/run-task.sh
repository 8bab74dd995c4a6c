#!/usr/bin/env bash
# Runs the s3-direct-sync job on demand on ECS Fargate, in one environment's cluster.
#
#   scripts/run-task.sh ENV [--shards N] [--wait] [--capacity-provider FARGATE|FARGATE_SPOT] [--dry-run] [-- JOB FLAGS...]
#
#   ENV            dev, staging or prod
#   --shards N     N > 1: fan out N tasks with `node dist/cli/main.js launch` (each runs --shard i/N);
#                  N = 1 (default): one task with `aws ecs run-task`
#   --wait         wait until the task(s) stop and exit with the job's exit code (0-6)
#   --capacity-provider P
#                  FARGATE or FARGATE_SPOT; default $S3DS_CAPACITY_PROVIDER, else what the
#                  environment's Terraform uses (use_fargate_spot in terraform/environments/ENV.tfvars)
#   --dry-run      print every step with its real arguments, run none (terraform outputs are still read)
#   -- FLAGS       appended to the job's command: sync --env ENV --json FLAGS
#
# Where the task runs: each setting comes from its environment variable, else from the Terraform
# outputs of the environment (`TF_DATA_DIR=.terraform/ENV terraform -chdir=terraform/environments
# output -json`, when terraform is installed and scripts/deploy.sh or terraform init
# -backend-config=ENV.s3.tfbackend ran there with that TF_DATA_DIR):
#   S3DS_CLUSTER           cluster name or ARN          (output cluster_arn)
#   S3DS_TASK_DEFINITION   family, family:rev or ARN    (output task_definition_arn)
#   S3DS_SUBNETS           comma-separated subnet ids   (output subnet_ids)
#   S3DS_SECURITY_GROUPS   comma-separated sg ids       (output security_group_id)
#   S3DS_CONTAINER_NAME    container to override        (output container_name; default s3-direct-sync)
#   S3DS_ASSIGN_PUBLIC_IP  true for public subnets without NAT (default false)
#   S3DS_POLL_SECONDS      status polling interval with --wait (default 15)
# The region is AWS_REGION / AWS_DEFAULT_REGION, else the region of the cluster ARN.
#
# Exit codes: the job's own (0-6) with --wait; otherwise 0 once launched, 4 when ECS refused to
# start a task; 64 usage; 69 a required tool is missing (node, aws, dist/ not built);
# 77 no usable AWS credentials; 78 settings missing (neither variables nor Terraform outputs).
set -euo pipefail

case "${BASH_SOURCE[0]}" in */*) SCRIPT_DIR=${BASH_SOURCE[0]%/*} ;; *) SCRIPT_DIR=. ;; esac
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
PROG=run-task
# shellcheck source=lib/ops-common.sh
. "$SCRIPT_DIR/lib/ops-common.sh"

# ---- arguments ------------------------------------------------------------------------------------
parse_env_arg "$@"
shift

SHARDS=1
WAIT=0
CAPACITY=${S3DS_CAPACITY_PROVIDER:-}
EXTRA=()
while [ $# -gt 0 ]; do
  case $1 in
    --shards)
      [ $# -ge 2 ] || die $EX_USAGE "--shards needs a number"
      SHARDS=$2
      shift 2
      ;;
    --shards=*)
      SHARDS=${1#*=}
      shift
      ;;
    --capacity-provider)
      [ $# -ge 2 ] || die $EX_USAGE "--capacity-provider needs FARGATE or FARGATE_SPOT"
      CAPACITY=$2
      shift 2
      ;;
    --capacity-provider=*)
      CAPACITY=${1#*=}
      shift
      ;;
    --wait)
      WAIT=1
      shift
      ;;
    --dry-run)
      DRY=1
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    --)
      shift
      EXTRA=("$@")
      break
      ;;
    *) die $EX_USAGE "unknown option '$1' (flags for the job go after --)" ;;
  esac
done
[[ $SHARDS =~ ^[1-9][0-9]*$ ]] || die $EX_USAGE "--shards must be an integer >= 1, got '$SHARDS'"
for arg in "${EXTRA[@]}"; do
  case $arg in --shard | --shard=*) die $EX_USAGE "do not pass --shard: use --shards N and each task gets its own --shard i/N" ;; esac
done
POLL_SECONDS=${S3DS_POLL_SECONDS:-15}
[[ $POLL_SECONDS =~ ^[1-9][0-9]*$ ]] || die $EX_USAGE "S3DS_POLL_SECONDS must be a whole number of seconds >= 1, got '$POLL_SECONDS'"

command -v node >/dev/null 2>&1 || die $EX_UNAVAILABLE "node is required (Node.js 20 or newer on PATH)"

# ---- settings: environment variables, else Terraform outputs ---------------------------------------
TF_DIR="$REPO/terraform/environments"
TF_DATA_DIR_OF_ENV=".terraform/$ENV_NAME"
TF_JSON=
TF_LOADED=0
TF_STATUS=
load_terraform_outputs() {
  [ "$TF_LOADED" = 1 ] && return 0
  TF_LOADED=1
  if ! command -v terraform >/dev/null 2>&1; then
    TF_STATUS="terraform is not installed"
    return 0
  fi
  note "reading the Terraform outputs of $ENV_NAME (TF_DATA_DIR=$TF_DATA_DIR_OF_ENV terraform -chdir=terraform/environments output -json)"
  if ! TF_JSON=$(TF_DATA_DIR=$TF_DATA_DIR_OF_ENV terraform -chdir="$TF_DIR" output -json 2>/dev/null); then
    TF_JSON=
    TF_STATUS="terraform output failed for $ENV_NAME (in terraform/environments, run"
    TF_STATUS+=" TF_DATA_DIR=$TF_DATA_DIR_OF_ENV terraform init -backend-config=$ENV_NAME.s3.tfbackend, or set the variables)"
  elif [ -z "$TF_JSON" ] || [ "$TF_JSON" = '{}' ]; then
    TF_JSON=
    TF_STATUS="the Terraform of $ENV_NAME has no outputs here (not applied from this machine, or its state is elsewhere)"
  fi
}
# The value of one output: a string, or a list joined with commas; empty when absent or null.
terraform_output() {
  node -e '
    const [json, name] = process.argv.slice(1);
    let v;
    try { v = JSON.parse(json)[name]; } catch { process.exit(0); }
    v = v && v.value;
    if (v === null || v === undefined) process.exit(0);
    process.stdout.write(Array.isArray(v) ? v.join(",") : String(v));
  ' -- "$TF_JSON" "$1"
}

# Terraform is asked only when a required variable is unset.
for var in S3DS_CLUSTER S3DS_TASK_DEFINITION S3DS_SUBNETS S3DS_SECURITY_GROUPS; do
  if [ -z "${!var:-}" ]; then
    load_terraform_outputs
    break
  fi
done
# setting VAR OUTPUT [DEFAULT]: the variable, else the Terraform output, else the default.
setting() {
  local var=$1 output=$2 default=${3:-} v
  v=${!var:-}
  if [ -z "$v" ] && [ -n "$TF_JSON" ]; then v=$(terraform_output "$output"); fi
  printf '%s' "${v:-$default}"
}
CLUSTER=$(setting S3DS_CLUSTER cluster_arn)
TASK_DEFINITION=$(setting S3DS_TASK_DEFINITION task_definition_arn)
SUBNETS=$(setting S3DS_SUBNETS subnet_ids)
SECURITY_GROUPS=$(setting S3DS_SECURITY_GROUPS security_group_id)
CONTAINER=$(setting S3DS_CONTAINER_NAME container_name s3-direct-sync)
LOG_GROUP=$(setting S3DS_LOG_GROUP log_group_name "/s3-direct-sync/$ENV_NAME")
MISSING=()
[ -n "$CLUSTER" ] || MISSING+=("S3DS_CLUSTER (Terraform output cluster_arn)")
[ -n "$TASK_DEFINITION" ] || MISSING+=("S3DS_TASK_DEFINITION (Terraform output task_definition_arn)")
[ -n "$SUBNETS" ] || MISSING+=("S3DS_SUBNETS, comma-separated (Terraform output subnet_ids)")
[ -n "$SECURITY_GROUPS" ] || MISSING+=("S3DS_SECURITY_GROUPS, comma-separated (Terraform output security_group_id)")
if [ ${#MISSING[@]} -gt 0 ]; then
  printf -v msg '%s; ' "${MISSING[@]}"
  msg="missing settings for $ENV_NAME: ${msg%; }${TF_STATUS:+ ($TF_STATUS)}"
  if [ "$DRY" = 1 ]; then
    note "$msg; the dry run shows placeholders"
    CLUSTER=${CLUSTER:-<S3DS_CLUSTER>}
    TASK_DEFINITION=${TASK_DEFINITION:-<S3DS_TASK_DEFINITION>}
    SUBNETS=${SUBNETS:-<S3DS_SUBNETS>}
    SECURITY_GROUPS=${SECURITY_GROUPS:-<S3DS_SECURITY_GROUPS>}
  else
    die $EX_CONFIG "$msg"
  fi
fi
if [ "$DRY" = 0 ]; then
  IFS=, read -r -a _subnets <<<"$SUBNETS"
  for s in "${_subnets[@]}"; do [[ $s =~ ^subnet-[0-9a-z]+$ ]] || die $EX_CONFIG "S3DS_SUBNETS: '$s' is not a subnet id (subnet-...)"; done
  IFS=, read -r -a _sgs <<<"$SECURITY_GROUPS"
  for s in "${_sgs[@]}"; do [[ $s =~ ^sg-[0-9a-z]+$ ]] || die $EX_CONFIG "S3DS_SECURITY_GROUPS: '$s' is not a security group id (sg-...)"; done
fi

# Capacity: flag / variable, else the environment's Terraform choice.
if [ -z "$CAPACITY" ]; then
  CAPACITY=FARGATE
  if [ -f "$TF_DIR/$ENV_NAME.tfvars" ]; then
    while IFS= read -r line; do
      if [[ $line =~ ^[[:space:]]*use_fargate_spot[[:space:]]*=[[:space:]]*true ]]; then CAPACITY=FARGATE_SPOT; fi
    done <"$TF_DIR/$ENV_NAME.tfvars"
  fi
fi
case $CAPACITY in FARGATE | FARGATE_SPOT) ;; *) die $EX_USAGE "capacity provider must be FARGATE or FARGATE_SPOT, got '$CAPACITY'" ;; esac
case ${S3DS_ASSIGN_PUBLIC_IP:-false} in true | 1 | yes) PUBLIC_IP=ENABLED ;; false | 0 | no | '') PUBLIC_IP=DISABLED ;; *) die $EX_USAGE "S3DS_ASSIGN_PUBLIC_IP must be true or false" ;; esac

REGION=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}
if [ -z "$REGION" ] && [[ $CLUSTER =~ ^arn:[^:]+:ecs:([a-z0-9-]+): ]]; then REGION=${BASH_REMATCH[1]}; fi
REGION_ARGS=()
[ -n "$REGION" ] && REGION_ARGS=(--region "$REGION")

JOB_COMMAND=(sync --env "$ENV_NAME" --json "${EXTRA[@]}")

# ---- tools and credentials -------------------------------------------------------------------------
if ! command -v aws >/dev/null 2>&1; then
  [ "$DRY" = 1 ] || die $EX_UNAVAILABLE "the AWS CLI (aws) is required: https://docs.aws.amazon.com/cli/"
  note "the AWS CLI (aws) is not installed: a real run would stop here"
fi
if [ "$DRY" = 1 ]; then
  run aws sts get-caller-identity "${REGION_ARGS[@]}"
elif ! aws sts get-caller-identity "${REGION_ARGS[@]}" --output text --query Arn >/dev/null 2>&1; then
  die $EX_NOPERM "no usable AWS credentials: 'aws sts get-caller-identity' failed (log in, e.g. aws sso login, or set AWS_PROFILE)"
fi

# ---- fan-out --------------------------------------------------------------------------------------
if [ "$SHARDS" -gt 1 ]; then
  MAIN="$REPO/dist/cli/main.js"
  if [ ! -f "$MAIN" ]; then
    [ "$DRY" = 1 ] || die $EX_UNAVAILABLE "dist/cli/main.js is missing: build first (npm run build)"
    note "dist/cli/main.js is missing: a real run needs npm run build first"
  fi
  args=(launch --cluster "$CLUSTER" --task-definition "$TASK_DEFINITION" --container-name "$CONTAINER"
    --shards "$SHARDS" --subnets "$SUBNETS" --security-groups "$SECURITY_GROUPS" --capacity-provider "$CAPACITY")
  [ "$PUBLIC_IP" = ENABLED ] && args+=(--assign-public-ip)
  [ "$WAIT" = 1 ] && args+=(--wait)
  args+=(-- "${JOB_COMMAND[@]}")
  if [ -n "$REGION" ]; then
    export AWS_REGION=$REGION
    [ "$DRY" = 1 ] && printf '[dry-run] export AWS_REGION=%s\n' "$(quote "$REGION")"
  fi
  run node "$MAIN" "${args[@]}"
  exit $?
fi

# ---- one task -------------------------------------------------------------------------------------
if [ "$CAPACITY" = FARGATE_SPOT ]; then
  CAPACITY_ARGS=(--capacity-provider-strategy capacityProvider=FARGATE_SPOT,weight=1,base=0)
else
  CAPACITY_ARGS=(--launch-type FARGATE)
fi
OVERRIDES=$(node -e '
  const [name, ...command] = process.argv.slice(1);
  process.stdout.write(JSON.stringify({ containerOverrides: [{ name, command }] }));
' -- "$CONTAINER" "${JOB_COMMAND[@]}")
RUN_TASK=(aws ecs run-task "${REGION_ARGS[@]}" --cluster "$CLUSTER" --task-definition "$TASK_DEFINITION" --count 1
  "${CAPACITY_ARGS[@]}" --platform-version LATEST
  --network-configuration "awsvpcConfiguration={subnets=[$SUBNETS],securityGroups=[$SECURITY_GROUPS],assignPublicIp=$PUBLIC_IP}"
  --started-by s3-direct-sync --overrides "$OVERRIDES" --output json)

if [ "$DRY" = 1 ]; then
  run "${RUN_TASK[@]}"
  if [ "$WAIT" = 1 ]; then
    run aws ecs describe-tasks "${REGION_ARGS[@]}" --cluster "$CLUSTER" --tasks '<task ARN from run-task>' --output json
    printf '[dry-run] (every %s s until the task is STOPPED, then exit with its container'"'"'s exit code)\n' "$POLL_SECONDS"
  fi
  exit 0
fi

out=$(run "${RUN_TASK[@]}") || die 4 "aws ecs run-task failed (see above)"
TASK_ARN=$(node -e '
  const out = JSON.parse(process.argv[1]);
  const task = (out.tasks || []).find((t) => t.taskArn);
  if (task) { process.stdout.write(task.taskArn); process.exit(0); }
  const why = (out.failures || []).map((f) => [f.reason, f.detail, f.arn].filter(Boolean).join(" ")).join("; ");
  process.stderr.write("run-task: ECS started no task: " + (why || "no failure given") + "\n");
  process.exit(4);
' -- "$out") || exit 4
note "started $TASK_ARN"

if [ "$WAIT" = 0 ]; then
  note "follow it:  aws logs tail $(quote "$LOG_GROUP") --follow${REGION:+ --region $REGION}"
  note "status:     aws ecs describe-tasks --cluster $(quote "$CLUSTER") --tasks $TASK_ARN${REGION:+ --region $REGION}"
  printf '%s\n' "$TASK_ARN"
  exit 0
fi

# Wait: poll DescribeTasks; the job's exit code becomes ours (another non-zero code counts as 1; a
# task that stopped without running the container counts as 4, like the fan-out).
errors=0
last=
status=
code=
reason=
while :; do
  if desc=$(aws ecs describe-tasks "${REGION_ARGS[@]}" --cluster "$CLUSTER" --tasks "$TASK_ARN" --output json 2>/dev/null); then
    errors=0
    {
      read -r status
      read -r code
      read -r reason
    } < <(node -e '
      const [json, name] = process.argv.slice(1);
      const t = (JSON.parse(json).tasks || [])[0] || {};
      const cs = t.containers || [];
      const c = cs.find((x) => x.name === name) || (cs.length === 1 ? cs[0] : {});
      let code = "";
      if (typeof c.exitCode === "number") code = c.exitCode >= 0 && c.exitCode <= 6 ? c.exitCode : 1;
      else if (t.lastStatus === "STOPPED") code = 4;
      const reason = [t.stopCode, t.stoppedReason, c.reason].filter(Boolean).join("; ").replace(/\n/g, " ");
      console.log(t.lastStatus || "MISSING"); console.log(code); console.log(reason);
    ' -- "$desc" "$CONTAINER") || true
    if [ "$status" != "$last" ]; then
      note "task is $status"
      last=$status
    fi
    if [ "$status" = STOPPED ]; then
      note "stopped${reason:+: $reason}; exit code $code"
      exit "$code"
    fi
  else
    errors=$((errors + 1))
    [ "$errors" -ge 5 ] && die 3 "aws ecs describe-tasks failed 5 times in a row; the task may still be running: $TASK_ARN"
  fi
  sleep "$POLL_SECONDS"
done
