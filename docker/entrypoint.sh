#!/bin/sh
# The image's entrypoint, started by tini (PID 1): sizes V8's heap to the container's memory limit,
# then execs its arguments (node /app/dist/cli/main.js ...), so tini's child stays the job itself.
#
# Node sizes its heap from the host's memory, not the container's: on a Fargate host a 1 GiB task
# lets V8 grow its heap far past the limit before it collects hard, and the kernel kills the task
# (exit 137) where a full GC would have sufficed. So the old space gets 60% of the limit minus
# 64 MiB (at least 64 MiB). The 64 MiB is Node's own native memory (code, thread stacks, the young
# generation); the other 40% stays outside V8's heap for what does not live in it: Buffers of stream
# copies and listing pages (external memory, planned by the sizing), s5cmd child processes and TLS.
# 1 GiB gives 550 MiB of heap, 2 GiB 1,164 MiB, 4 GiB 2,393 MiB.
#
# A --max-old-space-size already in NODE_OPTIONS wins. No limit found (no cgroup, "max", cgroup
# v1's huge "unlimited") leaves Node's default. S3DS_CGROUP_ROOT (default /sys/fs/cgroup) is for tests.
set -eu

HEAP_PERCENT=60
NATIVE_RESERVE_MIB=64
MIN_HEAP_MIB=64

# The container's memory limit in bytes (cgroup v2 memory.max, else v1 memory.limit_in_bytes), or nothing.
memory_limit() {
  root="${S3DS_CGROUP_ROOT:-/sys/fs/cgroup}"
  for file in "$root/memory.max" "$root/memory/memory.limit_in_bytes"; do
    [ -r "$file" ] || continue
    value=$(cat "$file" 2>/dev/null) || return 0
    case "$value" in
      '' | *[!0-9]*) return 0 ;; # "max": no limit
    esac
    # cgroup v1 writes "no limit" as a page-rounded LONG_MAX (19 digits); 10^18 bytes is no real limit either.
    [ "${#value}" -lt 19 ] && echo "$value"
    return 0
  done
}

case " ${NODE_OPTIONS:-} " in
  *' --max-old-space-size='* | *' --max_old_space_size='*) ;;
  *)
    limit=$(memory_limit)
    if [ -n "$limit" ]; then
      heap=$((limit / 1048576 * HEAP_PERCENT / 100 - NATIVE_RESERVE_MIB))
      [ "$heap" -ge "$MIN_HEAP_MIB" ] || heap=$MIN_HEAP_MIB
      NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--max-old-space-size=$heap"
      export NODE_OPTIONS
    fi
    ;;
esac

exec "$@"
