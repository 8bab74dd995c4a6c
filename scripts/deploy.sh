#!/usr/bin/env bash
# Builds the job's image, pushes it to the environment's ECR repository and applies that
# environment's Terraform with the new tag.
#
#   scripts/deploy.sh ENV [--tag TAG] [--auto-approve] [--dry-run]
#
#   ENV             dev, staging or prod (terraform/environments/ENV.tfvars and ENV.s3.tfbackend)
#   --tag TAG       image tag; default the commit (git rev-parse --short=12 HEAD), which needs a clean
#                   working tree. ECR tags are immutable here: every release gets a new tag, and
#                   "latest" is refused.
#   --auto-approve  terraform apply without asking
#   --dry-run       print every step with its real arguments and run none (the Terraform outputs
#                   are still read, to show the real repository)
#
# Steps: check tools and credentials (aws sts get-caller-identity); find the ECR repository
# ($S3DS_ECR_REPOSITORY, else Terraform output ecr_repository_url; on a first deployment, create it
# with a targeted apply); build with scripts/build-image.sh unless the tag is already in ECR; log in
# (the password goes through a pipe, never the command line or the output); tag; push;
# terraform apply -var-file=ENV.tfvars -var image_tag=TAG. Terraform runs in terraform/environments with
# TF_DATA_DIR=.terraform/ENV, so each environment keeps its own initialised backend (its own state).
#
# Environment: S3DS_ECR_REPOSITORY (repository URL), S3DS_CONTAINER_ENGINE=docker|podman (default:
# docker when its daemon answers, else podman; also passed to build-image.sh), AWS_REGION (default:
# the repository's region).
#
# Exit codes: 0 deployed; 64 usage; 69 a required tool is missing (docker/podman, aws, terraform,
# git); 77 no usable AWS credentials; 78 no ECR repository known; otherwise the failing step's code.
set -euo pipefail

LOCAL_IMAGE=s3-direct-sync
case "${BASH_SOURCE[0]}" in */*) SCRIPT_DIR=${BASH_SOURCE[0]%/*} ;; *) SCRIPT_DIR=. ;; esac
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
PROG=deploy
# shellcheck source=lib/ops-common.sh
. "$SCRIPT_DIR/lib/ops-common.sh"

# ---- arguments ------------------------------------------------------------------------------------
parse_env_arg "$@"
shift

TAG=
AUTO_APPROVE=0
while [ $# -gt 0 ]; do
  case $1 in
    --tag)
      [ $# -ge 2 ] || die $EX_USAGE "--tag needs a value"
      TAG=$2
      shift 2
      ;;
    --tag=*)
      TAG=${1#*=}
      shift
      ;;
    --auto-approve)
      AUTO_APPROVE=1
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
    *) die $EX_USAGE "unknown argument '$1'" ;;
  esac
done

if [ -z "$TAG" ]; then
  command -v git >/dev/null 2>&1 || die $EX_UNAVAILABLE "git is needed to derive the tag from the commit (or pass --tag)"
  TAG=$(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null) || die $EX_USAGE "not a git checkout: pass --tag"
  if [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    die $EX_USAGE "the working tree has uncommitted changes, so commit $TAG would not describe the image: commit them, or pass --tag"
  fi
fi
# The tag rule of terraform/environments/variables.tf (image_tag).
[[ $TAG =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die $EX_USAGE "tag '$TAG' is not a valid image tag (letters, digits, _ . -; at most 128; not starting with . or -)"
[ "$TAG" != latest ] || die $EX_USAGE "the ECR repository's tags are immutable: deploy a unique tag per release, not 'latest'"

TF_DIR="$REPO/terraform/environments"
TF=(terraform -chdir=terraform/environments)
VAR_FILE="-var-file=$ENV_NAME.tfvars"

# ---- tools ----------------------------------------------------------------------------------------
docker_answers() { command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; }
ENGINE=${S3DS_CONTAINER_ENGINE:-}
if [ -z "$ENGINE" ]; then
  if docker_answers; then
    ENGINE=docker
  elif command -v podman >/dev/null 2>&1; then
    ENGINE=podman
  elif command -v docker >/dev/null 2>&1; then
    ENGINE=docker # present but its daemon does not answer: the build will say so
  fi
fi
missing=()
case ${ENGINE:-none} in
  docker | podman) command -v "$ENGINE" >/dev/null 2>&1 || missing+=("$ENGINE (S3DS_CONTAINER_ENGINE)") ;;
  none) missing+=("docker or podman") ;;
  *) die $EX_USAGE "S3DS_CONTAINER_ENGINE must be docker or podman, got '$ENGINE'" ;;
esac
command -v aws >/dev/null 2>&1 || missing+=("aws (the AWS CLI)")
command -v terraform >/dev/null 2>&1 || missing+=("terraform")
ENGINE=${ENGINE:-docker}
if [ ${#missing[@]} -gt 0 ]; then
  printf -v msg '%s, ' "${missing[@]}"
  msg="missing tools: ${msg%, }"
  [ "$DRY" = 1 ] || die $EX_UNAVAILABLE "$msg"
  note "$msg: a real run would stop here"
fi

# ---- credentials ----------------------------------------------------------------------------------
if [ "$DRY" = 1 ]; then
  run aws sts get-caller-identity
elif ! aws sts get-caller-identity --output text --query Arn >/dev/null 2>&1; then
  die $EX_NOPERM "no usable AWS credentials: 'aws sts get-caller-identity' failed (log in, e.g. aws sso login, or set AWS_PROFILE)"
fi

# ---- Terraform working directory ------------------------------------------------------------------
cd "$REPO"
# Relative to terraform/environments; the apply below can reach only this environment's state.
export TF_DATA_DIR=".terraform/$ENV_NAME"
[ "$DRY" = 1 ] && printf '[dry-run] export TF_DATA_DIR=%s\n' "$TF_DATA_DIR"
if [ ! -d "$TF_DIR/$TF_DATA_DIR" ]; then
  run "${TF[@]}" init -input=false "-backend-config=$ENV_NAME.s3.tfbackend"
fi

terraform_output() {
  command -v terraform >/dev/null 2>&1 || return 0
  local v
  v=$("${TF[@]}" output -raw "$1" 2>/dev/null) || return 0
  case $v in *$'\n'* | *'No outputs found'* | *Warning*) return 0 ;; esac
  printf '%s' "$v"
}

# ---- ECR repository -------------------------------------------------------------------------------
REPOSITORY=${S3DS_ECR_REPOSITORY:-}
if [ -z "$REPOSITORY" ]; then
  note "reading the Terraform output ecr_repository_url of $ENV_NAME"
  REPOSITORY=$(terraform_output ecr_repository_url)
fi
if [ -z "$REPOSITORY" ]; then
  note "no ECR repository yet (first deployment of $ENV_NAME?): creating it alone first"
  target=(apply -input=false -target=module.s3_direct_sync.aws_ecr_repository.this "$VAR_FILE" -var "image_tag=$TAG")
  [ "$AUTO_APPROVE" = 1 ] && target+=(-auto-approve)
  run "${TF[@]}" "${target[@]}"
  if [ "$DRY" = 1 ]; then
    REPOSITORY='<ecr_repository_url>'
  else
    REPOSITORY=$(terraform_output ecr_repository_url)
    [ -n "$REPOSITORY" ] || die $EX_CONFIG "$ENV_NAME has no ecr_repository_url output (create_ecr_repository = false?): set S3DS_ECR_REPOSITORY"
  fi
fi
if [ "$REPOSITORY" != '<ecr_repository_url>' ] && ! [[ $REPOSITORY =~ ^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/([a-z0-9._/-]+)$ ]]; then
  die $EX_CONFIG "'$REPOSITORY' is not an ECR repository URL (ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME)"
fi
if [ "$REPOSITORY" = '<ecr_repository_url>' ]; then
  REGISTRY='<registry of ecr_repository_url>'
  REPO_NAME='<name of ecr_repository_url>'
else
  REGISTRY=${REPOSITORY%%/*}
  REPO_NAME=${REPOSITORY#*/}
fi
REGION=${AWS_REGION:-}
if [[ $REGISTRY =~ \.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com ]]; then REGION=${BASH_REMATCH[1]}; fi
REGION_ARGS=()
[ -n "$REGION" ] && REGION_ARGS=(--region "$REGION")
IMAGE="$REPOSITORY:$TAG"

# ---- image ----------------------------------------------------------------------------------------
already=0
if [ "$DRY" = 1 ]; then
  run aws ecr describe-images "${REGION_ARGS[@]}" --repository-name "$REPO_NAME" --image-ids "imageTag=$TAG"
  printf '[dry-run] (when that tag exists already, the build, login and push below are skipped)\n'
elif aws ecr describe-images "${REGION_ARGS[@]}" --repository-name "$REPO_NAME" --image-ids "imageTag=$TAG" >/dev/null 2>&1; then
  already=1
  note "$IMAGE is in ECR already: deploying it without building"
fi
if [ "$already" = 0 ]; then
  build_text="S3DS_CONTAINER_ENGINE=$ENGINE $(quote scripts/build-image.sh "$LOCAL_IMAGE:$TAG")"
  login_text="$(quote aws ecr get-login-password "${REGION_ARGS[@]}") | $(quote "$ENGINE" login --username AWS --password-stdin "$REGISTRY")"
  if [ "$DRY" = 1 ]; then
    printf '[dry-run] %s\n' "$build_text" "$login_text"
  else
    printf '+ %s\n' "$build_text" >&2
    S3DS_CONTAINER_ENGINE=$ENGINE bash "$REPO/scripts/build-image.sh" "$LOCAL_IMAGE:$TAG" >/dev/null
    printf '+ %s\n' "$login_text" >&2
    aws ecr get-login-password "${REGION_ARGS[@]}" | "$ENGINE" login --username AWS --password-stdin "$REGISTRY" >&2
  fi
  run "$ENGINE" tag "$LOCAL_IMAGE:$TAG" "$IMAGE"
  run "$ENGINE" push "$IMAGE"
fi

# ---- Terraform ------------------------------------------------------------------------------------
apply=(apply -input=false "$VAR_FILE" -var "image_tag=$TAG")
[ "$AUTO_APPROVE" = 1 ] && apply+=(-auto-approve)
run "${TF[@]}" "${apply[@]}"
[ "$DRY" = 1 ] || note "deployed $IMAGE to $ENV_NAME"
