#!/usr/bin/env bash
# A one-node Ceph cluster with its S3 gateway (radosgw) on 127.0.0.1, for the S3 storage tests.
#
#   eval "$(test/tools/ceph-rgw.sh up)"   # starts it (or finds it running) and prints
#                                         # `export WHARF_S3_ENDPOINT=... WHARF_S3_ACCESS_KEY=...
#                                         #  WHARF_S3_SECRET_KEY=... WHARF_S3_REGION=us-east-1`
#   test/tools/ceph-rgw.sh env            # the same line for the running cluster (starts nothing)
#   test/tools/ceph-rgw.sh down           # stops its daemons and deletes its state directory
#   test/tools/ceph-rgw.sh status         # `ceph -s`
#   test/tools/ceph-rgw.sh check          # names the Debian packages still to install, if any
#
# What runs: one monitor (127.0.0.1:3300, msgr2 only), one OSD (ports 7481-7489) and radosgw
# (http://127.0.0.1:7480, path-style S3, any region signs). No ceph-mgr: the gateway does not
# need one. Pools hold one copy and 8 placement groups. The OSD stores objects with BlueStore
# in a sparse 8 GiB file under the state directory, or in RAM with WHARF_CEPH_OBJECTSTORE=memstore.
# Inside the cluster cephx is off; S3 requests are still signed (SigV4) and radosgw checks them
# against a user with random keys made when the cluster is created.
# State: WHARF_CEPH_DIR (default /tmp/wharf-ceph): ceph.conf, s3.env, pid/, log/, the OSD's data.
# `up` is idempotent and takes a lock ($WHARF_CEPH_DIR.lock), so test files starting in parallel
# share one cluster; if any daemon has died it builds a new, empty cluster with new keys.
# Packages (Debian): ceph-mon ceph-osd radosgw ceph-common curl iproute2; .ci/run installs them
# with --no-install-recommends. Start-up takes 10-30 s on two cores; idle, the three daemons use
# ~150 MB of RAM.
# Things an S3 client meets with this gateway (Ceph 16): the AWS SDK v3 must only compute
# checksums when required (a streamed PUT is otherwise refused with 411 MissingContentLength);
# CompleteMultipartUpload answers with an empty ETag (HeadObject has it); Distribution 2.8 exits
# at start when AWS_CA_BUNDLE is set in its environment. Deleted objects'
# space comes back after the gateway's garbage collection (set here to run every 30 s), or at
# once with `radosgw-admin -c $WHARF_CEPH_DIR/ceph.conf gc process --include-all`.
set -euo pipefail

dir=${WHARF_CEPH_DIR:-/tmp/wharf-ceph}
objectstore=${WHARF_CEPH_OBJECTSTORE:-bluestore}
conf=$dir/ceph.conf
mon_port=3300
rgw_port=7480
osd_ports=(7481 7489)
endpoint=http://127.0.0.1:$rgw_port
stop_order=(client.rgw.a osd.0 mon.a) # the gateway needs the OSD, the OSD reports to the monitor

fail() { echo "ceph-rgw.sh: $*" >&2; exit 1; }

case $objectstore in bluestore | memstore) ;; *) fail "WHARF_CEPH_OBJECTSTORE is bluestore or memstore, not '$objectstore'" ;; esac

missing_packages() { # prints the Debian package of every command that is not installed
  local pair
  for pair in ceph-mon:ceph-mon ceph-osd:ceph-osd radosgw:radosgw monmaptool:ceph-base \
    ceph:ceph-common radosgw-admin:ceph-common curl:curl ss:iproute2 flock:util-linux; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || echo "${pair#*:}"
  done | sort -u
}

require_packages() {
  local missing
  missing=$(missing_packages | tr '\n' ' ')
  [[ -z $missing ]] || fail "install the Debian packages: ${missing% }"
}

ceph_cli() { ceph --conf "$conf" --connect-timeout 10 "$@"; }

daemon_pid() { # daemon_pid NAME: the pid of the running ceph daemon NAME of this state directory
  local file pid
  # pid/NAME is what launch recorded; NAME.pid files are what the daemons write themselves (a
  # cluster an earlier script started in this directory is found through them too).
  for file in "$dir/pid/$1" "$dir/pid/$1.pid" "$dir/run/$1.pid"; do
    [[ -s $file ]] || continue
    pid=$(<"$file")
    case $(cat "/proc/$pid/comm" 2>/dev/null) in ceph-mon | ceph-osd | radosgw) echo "$pid"; return 0 ;; esac
  done
  return 1
}

running() { # the whole cluster is up and the gateway answers
  local name
  [[ -s $dir/s3.env ]] || return 1
  for name in "${stop_order[@]}"; do daemon_pid "$name" >/dev/null || return 1; done
  curl --silent --fail --output /dev/null --max-time 5 "$endpoint/"
}

launch() { # launch NAME COMMAND...: a daemon in the foreground of its own session
  local name=$1
  shift
  # 9>&-: a daemon must not hold the lock's descriptor for as long as it runs
  setsid "$@" --conf "$conf" --foreground >"$dir/log/$name.stdout" 2>&1 </dev/null 9>&- &
  echo $! >"$dir/pid/$name"
}

await() { # await NAME SECONDS COMMAND...: retries COMMAND until it succeeds or daemon NAME dies
  local name=$1 tries=$(($2 * 4))
  shift 2
  while ((tries-- > 0)); do
    "$@" >/dev/null 2>&1 && return 0
    daemon_pid "$name" >/dev/null || break
    sleep 0.25
  done
  echo "ceph-rgw.sh: $name is not ready; the end of its logs:" >&2
  tail -n 20 "$dir/log/$name".* >&2 || true
  return 1
}

quietly() { # quietly LOG COMMAND...: output to log/LOG, shown only if COMMAND fails
  local log=$dir/log/$1
  shift
  "$@" >"$log" 2>&1 || { echo "ceph-rgw.sh: failed: $*" >&2; tail -n 20 "$log" >&2; return 1; }
}

stop_daemons() {
  local name pid i
  for name in "${stop_order[@]}"; do
    if pid=$(daemon_pid "$name"); then
      kill "$pid" 2>/dev/null || true
      for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    fi
    rm -f "$dir/pid/$name" "$dir/pid/$name.pid" "$dir/run/$name.pid"
  done
}

remove_state() { # deletes the state directory, but only one that this script made
  [[ -e $dir ]] || return 0
  [[ $dir == /* && $dir != / && $dir != /tmp && $dir != "$HOME" ]] || fail "will not delete $dir"
  [[ -f $conf || -z $(ls -A "$dir") ]] || fail "$dir holds something other than a cluster of ours; not deleting it"
  rm -rf "$dir"
}

write_conf() {
  cat >"$conf" <<EOF
[global]
fsid = $1
mon host = [v2:127.0.0.1:$mon_port]
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
ms bind port min = ${osd_ports[0]}
ms bind port max = ${osd_ports[1]}
auth cluster required = none
auth service required = none
auth client required = none
# the gateway asks for "secure" monitor connections by default, which need cephx
ms mon client mode = crc secure
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim allowed = false
mon data avail warn = 2
mon data avail crit = 1
# a single monitor has no peers to batch with: commit map changes at once
paxos propose interval = 0.05
paxos min wait = 0.01
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
mon data = $dir/mon/\$id
osd data = $dir/osd/\$id
osd objectstore = $objectstore
bluestore block size = 8589934592
memstore device bytes = 4294967296
osd memory target = 1073741824

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port tcp_nodelay=1
rgw data = $dir/rgw
# reclaim deleted objects' space after ~1 minute instead of 2 hours
rgw gc obj min wait = 30
rgw gc processor period = 30
EOF
}

osd_is_up() { [[ $(ceph_cli osd stat --format json) == *'"num_up_osds":1'* ]]; }

rgw_pool() { ceph_cli osd pool create "$1" 8 8 && ceph_cli osd pool application enable "$1" rgw; }

random_chars() { tr -dc "$1" </dev/urandom | head -c "$2" || true; }

create_cluster() {
  local port fsid uuid id pool pids=()
  for port in "$mon_port" "$rgw_port" $(seq "${osd_ports[@]}"); do
    [[ -z $(ss -Hltn "sport = :$port") ]] || fail "port $port is taken by another program (see \`ss -ltnp\`)"
  done
  remove_state
  mkdir -p "$dir"/{pid,log,run,mon/a,osd/0,rgw}
  fsid=$(</proc/sys/kernel/random/uuid)
  write_conf "$fsid"

  quietly monmaptool.out monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap"
  quietly mon-mkfs.out ceph-mon --conf "$conf" --mkfs -i a --monmap "$dir/monmap"
  launch mon.a ceph-mon -i a
  await mon.a 30 ceph_cli mon stat

  uuid=$(</proc/sys/kernel/random/uuid)
  id=$(ceph_cli osd new "$uuid")
  [[ $id == 0 ]] || fail "the new OSD got id '$id', not 0"
  quietly osd-mkfs.out ceph-osd --conf "$conf" -i 0 --mkfs --osd-uuid "$uuid"
  launch osd.0 ceph-osd -i 0
  await osd.0 60 osd_is_up

  # Made now, in parallel: radosgw would otherwise create each on first use, a pause each time.
  for pool in .rgw.root default.rgw.{control,meta,log,buckets.index,buckets.data,buckets.non-ec}; do
    quietly "pool$pool.out" rgw_pool "$pool" &
    pids+=($!)
  done
  for id in "${pids[@]}"; do wait "$id"; done

  launch client.rgw.a radosgw --name client.rgw.a
  await client.rgw.a 90 curl --silent --fail --output /dev/null --max-time 2 "$endpoint/"

  local access secret
  access=$(random_chars A-Z0-9 20)
  secret=$(random_chars A-Za-z0-9 40)
  quietly user-create.out radosgw-admin --conf "$conf" user create --uid wharf --display-name "Wharf tests" \
    --access-key "$access" --secret-key "$secret"
  echo "export WHARF_S3_ENDPOINT=$endpoint WHARF_S3_ACCESS_KEY=$access WHARF_S3_SECRET_KEY=$secret WHARF_S3_REGION=us-east-1" >"$dir/s3.env"
}

lock() {
  mkdir -p "$(dirname "$dir")"
  exec 9>"$dir.lock"
  flock --wait 600 9 || fail "timed out waiting for $dir.lock"
}

cmd_up() {
  require_packages
  lock
  if ! running; then
    stop_daemons
    trap stop_daemons EXIT # a failed start leaves no daemon behind (its logs stay in log/)
    create_cluster
    trap - EXIT
  fi
  cat "$dir/s3.env"
}

cmd_env() {
  running || fail "no cluster is running at $dir; run \`ceph-rgw.sh up\`"
  cat "$dir/s3.env"
}

cmd_down() {
  lock
  [[ -d $dir ]] || return 0
  stop_daemons
  remove_state
}

cmd_check() {
  local missing
  missing=$(missing_packages | tr '\n' ' ')
  [[ -z $missing ]] && return 0
  echo "needs the Debian packages ${missing% } (apt-get install --no-install-recommends ${missing% })"
  return 1
}

case ${1:-} in
  up) cmd_up ;;
  env) cmd_env ;;
  down) cmd_down ;;
  status) ceph_cli -s ;;
  check) cmd_check ;;
  *) echo "usage: $0 up|env|down|status|check" >&2; exit 2 ;;
esac
