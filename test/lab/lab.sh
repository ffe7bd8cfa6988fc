#!/usr/bin/env bash
# Namespace plumbing for the fwtp lab (docs/LAB.md): app -> fw -> db, the kernel as oracle.
#
#   lab.sh check                         prerequisites; prints why and exits 1 when the lab cannot run
#   lab.sh setup PREFIX ESTABLISHED_S KA_IDLE_S KA_INTVL_S KA_PROBES [STATE=SECONDS ...]
#                                        creates PREFIX-app, PREFIX-fw, PREFIX-db (STATE is a conntrack
#                                        TCP state such as time_wait: net.netfilter.nf_conntrack_tcp_timeout_STATE)
#   lab.sh teardown PREFIX               stops what runs inside PREFIX-* and deletes the namespaces
#   lab.sh cleanup                       removes leftovers fwtp-<pid>-* whose <pid> no longer runs
#
# PREFIX must look like fwtp-<pid>-<run> (<pid> = the driver's process id) so that parallel runs
# never collide and `cleanup` can tell a live run from a leftover. Addresses come from the
# documentation ranges only (RFC 5737): app 192.0.2.10/24, db 198.51.100.24/24.
set -euo pipefail

APP_ADDR=192.0.2.10
APP_GW=192.0.2.1
DB_ADDR=198.51.100.24
DB_GW=198.51.100.1
DB_PORT=1521
API_PORT=8443
DENY_PORT=23
NFLOG_GROUP=5
# LAB_ULOG_GROUP=N (environment): every logged packet also goes to nflog group N, read by the run's
# ulogd2 (run-lab.mjs); group 5 stays tcpdump's (one listener per group and namespace).
ULOG_GROUP=${LAB_ULOG_GROUP:-}

die() { echo "lab.sh: $*" >&2; exit 1; }

check_prefix() {
  [[ "$1" =~ ^fwtp-[0-9]+-[a-z0-9]+$ ]] || die "bad prefix '$1' (want fwtp-<pid>-<run>)"
}

# Processes still inside a namespace are ours (we started everything in it): stop them by id.
kill_inside() {
  local ns=$1 pids
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  [ -n "$pids" ] || return 0
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] || return 0
    sleep 0.1
  done
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
}

teardown() {
  local prefix=$1 ns
  check_prefix "$prefix"
  for ns in "$prefix-app" "$prefix-fw" "$prefix-db"; do
    if [ -e "/run/netns/$ns" ]; then
      kill_inside "$ns"
      ip netns del "$ns" 2>/dev/null || true
    fi
  done
}

cleanup() {
  local ns pid prefix
  [ -d /run/netns ] || return 0
  for ns in $(ls /run/netns); do
    [[ "$ns" =~ ^(fwtp-([0-9]+)-[a-z0-9]+)-(app|fw|db)$ ]] || continue
    prefix=${BASH_REMATCH[1]}
    pid=${BASH_REMATCH[2]}
    # A live driver owns its namespaces; only a dead one's are leftovers.
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "lab.sh: removing leftover $ns" >&2
      kill_inside "$ns"
      ip netns del "$ns" 2>/dev/null || true
    fi
  done
}

check() {
  [ "$(id -u)" = 0 ] || die "not root"
  local tool
  # tshark is needed too, but its absence is an error of the run (run-lab.mjs), not a reason to skip.
  for tool in ip nft conntrack tcpdump sysctl; do
    command -v "$tool" >/dev/null 2>&1 || die "missing $tool"
  done
  local probe="fwtp-$$-check"
  ip netns add "$probe-app" 2>/dev/null || die "ip netns add failed"
  ip netns del "$probe-app"
  echo ok
}

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

setup() {
  [ $# -ge 5 ] || die "usage: setup PREFIX ESTABLISHED_S KA_IDLE_S KA_INTVL_S KA_PROBES [STATE=SECONDS ...]"
  local prefix=$1 established=$2 ka_idle=$3 ka_intvl=$4 ka_probes=$5
  shift 5
  check_prefix "$prefix"
  local app="$prefix-app" fw="$prefix-fw" db="$prefix-db"
  # Half-built labs must not survive a failure or a signal.
  trap 'teardown "$prefix"' EXIT
  trap 'exit 130' INT TERM

  ip netns add "$app"
  ip netns add "$fw"
  ip netns add "$db"
  local ns
  for ns in "$app" "$fw" "$db"; do
    # No IPv6 (router solicitations, MLD): only our TCP sessions cross fw.
    # (Kernels booted with ipv6.disable=1 have no such keys: nothing to silence then.)
    nsx "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
    nsx "$ns" ip link set lo up
  done
  # Each veth is created inside its namespace with the peer moved straight into fw, so the
  # interface names never touch the root namespace (no collision between parallel runs).
  ip -n "$app" link add eth0 type veth peer name fa netns "$fw"
  ip -n "$db" link add eth0 type veth peer name fd netns "$fw"
  nsx "$app" sysctl -q -w net.ipv6.conf.eth0.disable_ipv6=1 2>/dev/null || true
  nsx "$db" sysctl -q -w net.ipv6.conf.eth0.disable_ipv6=1 2>/dev/null || true
  nsx "$fw" sysctl -q -w net.ipv6.conf.fa.disable_ipv6=1 net.ipv6.conf.fd.disable_ipv6=1 2>/dev/null || true

  ip -n "$app" addr add "$APP_ADDR/24" dev eth0
  ip -n "$app" link set eth0 up
  ip -n "$app" route add default via "$APP_GW"
  ip -n "$db" addr add "$DB_ADDR/24" dev eth0
  ip -n "$db" link set eth0 up
  ip -n "$db" route add default via "$DB_GW"
  ip -n "$fw" addr add "$APP_GW/24" dev fa
  ip -n "$fw" addr add "$DB_GW/24" dev fd
  ip -n "$fw" link set fa up
  ip -n "$fw" link set fd up

  # The firewall: established/related pass, a new session only as a bare SYN app -> db:1521 or
  # db:8443 (the API of the two-service scenario), a SYN to db:23 refused by policy (counted as
  # "denials", logged with its own prefix), everything else counted, copied to nflog group 5
  # (tcpdump -i nflog:5) with the prefix "fwtp-drop: " and dropped.
  # drops_new / drops_invalid only split the count: with nf_conntrack_tcp_loose=1 a mid-stream
  # ACK of a forgotten session is picked up as NEW (and dropped here, so never confirmed);
  # a FIN or RST without an entry is INVALID. queue-threshold 1: hand each logged packet to
  # userspace at once instead of batching them for up to 1 s (nfnetlink_log flush timer).
  local ulog_deny="" ulog_drop=""
  if [ -n "$ULOG_GROUP" ]; then
    [[ "$ULOG_GROUP" =~ ^[0-9]+$ ]] || die "bad LAB_ULOG_GROUP '$ULOG_GROUP'"
    ulog_deny="log prefix \"fwtp-deny: \" group $ULOG_GROUP queue-threshold 1"
    ulog_drop="log prefix \"fwtp-drop: \" group $ULOG_GROUP queue-threshold 1"
  fi
  nsx "$fw" nft -f - <<EOF
table inet fwtp {
  counter drops { }
  counter drops_new { }
  counter drops_invalid { }
  counter denials { }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "fa" oifname "fd" ip saddr $APP_ADDR ip daddr $DB_ADDR tcp dport { $DB_PORT, $API_PORT } tcp flags & (fin | syn | rst | ack) == syn ct state new accept
    ip daddr $DB_ADDR tcp dport $DENY_PORT counter name "denials" log prefix "fwtp-deny: " group $NFLOG_GROUP queue-threshold 1 $ulog_deny drop
    ct state new counter name "drops_new"
    ct state invalid counter name "drops_invalid"
    counter name "drops" log prefix "fwtp-drop: " group $NFLOG_GROUP queue-threshold 1 $ulog_drop drop
  }
}
EOF
  nsx "$fw" sysctl -q -w net.ipv4.ip_forward=1
  # Per-netns conntrack timeouts (the ruleset above made conntrack track this namespace).
  nsx "$fw" sysctl -q -w net.netfilter.nf_conntrack_tcp_timeout_established="$established"
  nsx "$fw" sysctl -q -w net.netfilter.nf_conntrack_tcp_loose=1
  local kv
  for kv in "$@"; do
    [[ "$kv" =~ ^([a-z_]+)=([0-9]+)$ ]] || die "bad state timeout '$kv'"
    nsx "$fw" sysctl -q -w "net.netfilter.nf_conntrack_tcp_timeout_${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"
  done
  # Keep-alive schedule of the db's sockets (per-netns since Linux 4.13); db-server.mjs also
  # sets TCP_KEEPIDLE through setKeepAlive and checks what the socket really uses.
  nsx "$db" sysctl -q -w net.ipv4.tcp_keepalive_time="$ka_idle" net.ipv4.tcp_keepalive_intvl="$ka_intvl" \
    net.ipv4.tcp_keepalive_probes="$ka_probes"

  trap - EXIT INT TERM
}

cmd=${1:-}
shift || true
case "$cmd" in
  check) check ;;
  setup) setup "$@" ;;
  teardown) [ $# -eq 1 ] || die "usage: teardown PREFIX"; teardown "$1" ;;
  cleanup) cleanup ;;
  *) die "usage: lab.sh check|setup|teardown|cleanup" ;;
esac
