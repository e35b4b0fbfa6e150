#!/usr/bin/env bash
# A docker engine for Wharf's end-to-end tests: the one you already run, or a private one.
#
#   eval "$(test/tools/dockerd.sh up)"   # prints `export DOCKER_HOST=...` for an engine that answers
#   test/tools/dockerd.sh env            # the same line for the engine in use now (starts nothing)
#   test/tools/dockerd.sh down           # stops the private engine, if `up` started one
#   test/tools/dockerd.sh status         # which engine is in use, and `docker version` of it
#
# `up` looks for an engine in this order and uses the first that answers `docker info`:
#   1. DOCKER_HOST, when it is set: your engine; never started or stopped here;
#   2. unix:///var/run/docker.sock: the system engine (docker.io's service, Docker Engine);
#   3. a private engine under WHARF_DOCKERD_DIR (default /tmp/wharf-dockerd), started here.
# The private engine stores images with the vfs driver and runs with no bridge and no iptables
# rules: it needs no kernel module, changes nothing on the host's network, and only ever talks
# to 127.0.0.1. That suits what the tests do with it (login, load, tag, push, pull, rmi), not
# running containers. Docker treats registries on 127.0.0.0/8 as insecure, so plain http on
# 127.0.0.1:PORT needs no daemon configuration.
# Needs the Debian package docker.io (dockerd, containerd, the docker CLI); .ci/run installs it.
# Safe to run from parallel test processes: `up` and `down` hold a lock ($dir.lock) while they
# work, so the first starts the engine and the others find it.
set -euo pipefail

dir=${WHARF_DOCKERD_DIR:-/tmp/wharf-dockerd}
private_host=unix://$dir/docker.sock
system_host=unix:///var/run/docker.sock

answers() { # answers HOST: a docker engine replies at HOST
  DOCKER_HOST=$1 timeout 20 docker info >/dev/null 2>&1
}

our_engine_pid() { # the pid of the dockerd this script started, if it is still running
  local pid
  [[ -s $dir/dockerd.pid ]] || return 1
  pid=$(<"$dir/dockerd.pid")
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]] || return 1
  echo "$pid"
}

engine_in_use() { # the DOCKER_HOST of the engine `up` would pick, without starting one
  if [[ -n ${DOCKER_HOST:-} ]]; then
    answers "$DOCKER_HOST" && { echo "$DOCKER_HOST"; return 0; }
    echo "dockerd.sh: DOCKER_HOST=$DOCKER_HOST does not answer \`docker info\`" >&2
    return 1
  fi
  answers "$system_host" && { echo "$system_host"; return 0; }
  our_engine_pid >/dev/null && answers "$private_host" && { echo "$private_host"; return 0; }
  return 1
}

require_binaries() {
  local missing=() b
  for b in docker dockerd containerd; do command -v "$b" >/dev/null 2>&1 || missing+=("$b"); done
  ((${#missing[@]} == 0)) && return 0
  echo "dockerd.sh: ${missing[*]} not found: install the Debian package docker.io" >&2
  return 1
}

start_private() {
  require_binaries
  mkdir -p "$dir"
  rm -f "$dir/docker.sock" "$dir/dockerd.pid"
  # Its own data root, exec root (with its own containerd) and socket: nothing shared with a
  # system engine. 9>&-: the daemon must not keep the lock's descriptor open for its lifetime.
  setsid dockerd \
    --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
    --host "$private_host" --storage-driver vfs \
    --bridge none --iptables=false --ip6tables=false --ip-masq=false \
    >"$dir/dockerd.log" 2>&1 </dev/null 9>&- &
  local waited
  for ((waited = 0; waited < 120; waited++)); do # up to 60 s
    answers "$private_host" && return 0
    if ((waited > 4)) && ! our_engine_pid >/dev/null; then break; fi
    sleep 0.5
  done
  echo "dockerd.sh: the private engine did not answer; the end of $dir/dockerd.log:" >&2
  tail -n 25 "$dir/dockerd.log" >&2 || true
  return 1
}

lock() { # serialises up/down between processes
  mkdir -p "$(dirname "$dir")"
  exec 9>"$dir.lock"
  flock --wait 300 9 || { echo "dockerd.sh: timed out waiting for $dir.lock" >&2; exit 1; }
}

cmd_up() {
  lock
  local host
  if ! host=$(engine_in_use); then
    [[ -z ${DOCKER_HOST:-} ]] || return 1 # the user named an engine: do not start another
    start_private
    host=$private_host
  fi
  echo "export DOCKER_HOST=$host"
}

cmd_env() {
  local host
  host=$(engine_in_use) || { echo "dockerd.sh: no engine answers; run \`dockerd.sh up\`" >&2; return 1; }
  echo "export DOCKER_HOST=$host"
}

cmd_down() {
  lock
  local pid i
  pid=$(our_engine_pid) || { rm -f "$dir/dockerd.pid"; return 0; }
  kill "$pid"
  for ((i = 0; i < 80; i++)); do # dockerd stops its containerd first; give it 20 s
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$dir/dockerd.pid" "$dir/docker.sock"
}

cmd_status() {
  local host
  host=$(engine_in_use) || { echo "no engine answers"; return 1; }
  echo "DOCKER_HOST=$host"
  DOCKER_HOST=$host docker version
}

case ${1:-} in
  up) cmd_up ;;
  env) cmd_env ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) echo "usage: $0 up|env|down|status" >&2; exit 2 ;;
esac
