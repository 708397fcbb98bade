#!/usr/bin/env bash
# Builds and tears down the NAT bench topologies of issue 4 with network namespaces, veth pairs, Linux
# bridges and iptables NAT (see test/nat/README.md). Needs root, `ip netns` and iptables.
#
#   netns-topology.sh up SCENARIO   build it, print the addresses as shell variables (eval-able)
#   netns-topology.sh down          delete every namespace of this prefix (idempotent, also after a crash)
#   netns-topology.sh status        print the variables of the running topology, or exit 1
#   netns-topology.sh check         send UDP from PC1 to the public namespace and report the source seen
#   netns-topology.sh scenarios     list the scenario names
#
# Environment: NETNS_PREFIX (default "spnat") names the namespaces <prefix>-pub, -r1, -r2, -pc1, -pc2,
# so two benches can run side by side; LOSS (default 0.05) is the drop probability of scenario "loss".
# Only private addresses are used, and only inside these namespaces: "public" 172.29.0.0/24,
# LANs 10.77.1.0/24 and 10.77.2.0/24. Nothing is added to the root namespace.

set -euo pipefail

PREFIX="${NETNS_PREFIX:-spnat}"
LOSS="${LOSS:-0.05}"
# Letters and digits only (it is used in a regular expression below), and short: "<prefix>-pub" is at most 14.
[[ "$PREFIX" =~ ^[A-Za-z0-9]{1,10}$ ]] || { echo "netns-topology: NETNS_PREFIX must be 1-10 letters or digits, got '$PREFIX'" >&2; exit 2; }
STATE_DIR="${NETNS_STATE_DIR:-/run/softphone-netns}"
STATE_FILE="$STATE_DIR/$PREFIX.env"

PUB_NS="$PREFIX-pub"
PUBLIC_IP=172.29.0.1      # Kamailio and coturn listen here
PUBLIC_IP2=172.29.0.2     # coturn's alternate address (RFC 5780 OTHER-ADDRESS)
PUBLIC_NET=172.29.0.0/24

SCENARIOS="lan nat1 nat2 symmetric expire loss"

die() { echo "netns-topology: $*" >&2; exit 1; }
say() { echo "netns-topology: $*" >&2; }

need_root() {
  [ "$(id -u)" = 0 ] || die "needs root (ip netns, iptables)"
  command -v ip >/dev/null || die "iproute2 'ip' not found"
  command -v iptables >/dev/null || die "iptables not found"
}

ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }

# Namespaces of this prefix, whatever state they were left in.
our_namespaces() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${PREFIX}-(pub|r[0-9]+|pc[0-9]+)$" || true; }

new_ns() {
  ip netns add "$1"
  ip -n "$1" link set lo up
}

# The "Internet": one bridge in the public namespace, with the servers' addresses on it.
make_public() {
  new_ns "$PUB_NS"
  ip -n "$PUB_NS" link add br0 type bridge
  ip -n "$PUB_NS" addr add "$PUBLIC_IP/24" dev br0
  ip -n "$PUB_NS" addr add "$PUBLIC_IP2/24" dev br0
  ip -n "$PUB_NS" link set br0 up
}

# make_router N [random-fully]: a NAT router, WAN 172.29.0.1N on the public bridge, LAN 10.77.N.1/24.
make_router() {
  local n=$1 mode=${2:-} r="$PREFIX-r$1"
  new_ns "$r"
  # Created from inside the namespaces (peer in the other one): the root namespace never sees them.
  ip -n "$PUB_NS" link add "r$n" type veth peer name wan netns "$r"
  ip -n "$PUB_NS" link set "r$n" master br0 up
  ip -n "$r" addr add "172.29.0.1$n/24" dev wan
  ip -n "$r" link set wan up
  ip -n "$r" link add brlan type bridge
  ip -n "$r" addr add "10.77.$n.1/24" dev brlan
  ip -n "$r" link set brlan up
  ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1
  if [ "$mode" = random-fully ]; then
    # Port-randomising NAT: every new 5-tuple gets a random source port (address/port-dependent mapping).
    ip netns exec "$r" iptables -t nat -A POSTROUTING -s "10.77.$n.0/24" -o wan -j MASQUERADE --random-fully
  else
    # Linux NAT keeps the source port when it is free: endpoint-independent mapping in practice.
    ip netns exec "$r" iptables -t nat -A POSTROUTING -s "10.77.$n.0/24" -o wan -j MASQUERADE
  fi
}

# make_lan_pc M N: PC M on router N's LAN, address 10.77.N.(M+1).
make_lan_pc() {
  local m=$1 n=$2 pc="$PREFIX-pc$1" r="$PREFIX-r$2"
  new_ns "$pc"
  ip -n "$r" link add "pc$m" type veth peer name eth0 netns "$pc"
  ip -n "$r" link set "pc$m" master brlan up
  ip -n "$pc" addr add "10.77.$n.$((m + 1))/24" dev eth0
  ip -n "$pc" link set eth0 up
  ip -n "$pc" route add default via "10.77.$n.1"
}

# make_public_pc M: PC M directly on the public bridge, address 172.29.0.2M.
make_public_pc() {
  local m=$1 pc="$PREFIX-pc$1"
  new_ns "$pc"
  ip -n "$PUB_NS" link add "pc$m" type veth peer name eth0 netns "$pc"
  ip -n "$PUB_NS" link set "pc$m" master br0 up
  ip -n "$pc" addr add "172.29.0.2$m/24" dev eth0
  ip -n "$pc" link set eth0 up
}

pc_ip() { ip -n "$PREFIX-pc$1" -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1; }

write_state() {
  local scenario=$1
  mkdir -p "$STATE_DIR"
  {
    echo "NETNS_PREFIX=$PREFIX"
    echo "SCENARIO=$scenario"
    echo "PUB_NS=$PUB_NS"
    echo "PUBLIC_IP=$PUBLIC_IP"
    echo "PUBLIC_IP2=$PUBLIC_IP2"
    echo "PUBLIC_NET=$PUBLIC_NET"
    for m in 1 2; do
      ns_exists "$PREFIX-pc$m" || continue
      echo "PC${m}_NS=$PREFIX-pc$m"
      echo "PC${m}_IP=$(pc_ip "$m")"
    done
    for n in 1 2; do
      ns_exists "$PREFIX-r$n" || continue
      echo "R${n}_NS=$PREFIX-r$n"
      echo "R${n}_WAN_IP=172.29.0.1$n"
      echo "R${n}_LAN_IP=10.77.$n.1"
    done
  } >"$STATE_FILE.tmp"
  mv "$STATE_FILE.tmp" "$STATE_FILE"
}

cmd_up() {
  local scenario=${1:-}
  [ -n "$scenario" ] || die "usage: $0 up SCENARIO   (one of: $SCENARIOS)"
  case " $SCENARIOS " in *" $scenario "*) ;; *) die "unknown scenario '$scenario' (one of: $SCENARIOS)" ;; esac
  need_root
  [ -z "$(our_namespaces)" ] || die "namespaces with prefix '$PREFIX' exist; run '$0 down' first"
  # Whatever fails half-way is torn down again: never leave a partial topology behind.
  trap 'say "setup failed; tearing down"; cmd_down >/dev/null 2>&1 || true' ERR
  make_public
  case "$scenario" in
    lan) # 1: both PCs on one LAN (behind one NAT router, servers on the public side)
      make_router 1
      make_lan_pc 1 1
      make_lan_pc 2 1 ;;
    nat1) # 2: PC1 behind a NAT router, PC2 public
      make_router 1
      make_lan_pc 1 1
      make_public_pc 2 ;;
    nat2) # 3: both behind two different port-preserving NATs
      make_router 1
      make_router 2
      make_lan_pc 1 1
      make_lan_pc 2 2 ;;
    symmetric) # 4: both behind port-randomising NATs
      make_router 1 random-fully
      make_router 2 random-fully
      make_lan_pc 1 1
      make_lan_pc 2 2 ;;
    expire) # 5: PC1 behind a NAT whose UDP bindings expire after 10 s, PC2 public
      make_router 1
      make_lan_pc 1 1
      make_public_pc 2
      # Per-namespace on this kernel. The kernel moves a UDP flow that has seen replies for more than 2 s to
      # the *_stream timeout (120 s by default), so both are set, or a registered flow would live 2 minutes.
      ip netns exec "$PREFIX-r1" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=10 net.netfilter.nf_conntrack_udp_timeout_stream=10 ;;
    loss) # 6: like nat2, plus random loss on router 1's forwarding path (both directions)
      make_router 1
      make_router 2
      make_lan_pc 1 1
      make_lan_pc 2 2
      # Two counters the bench reads back (iptables -L FORWARD -v -x): every packet the router forwards
      # ("loss-seen", a rule without a target only counts) and the ones it drops ("loss-drop").
      ip netns exec "$PREFIX-r1" iptables -A FORWARD -m comment --comment loss-seen
      ip netns exec "$PREFIX-r1" iptables -A FORWARD -m statistic --mode random --probability "$LOSS" -m comment --comment loss-drop -j DROP ;;
  esac
  trap - ERR
  write_state "$scenario"
  cat "$STATE_FILE"
}

cmd_down() {
  need_root
  local ns pids
  for ns in $(our_namespaces); do
    # Processes the bench started inside (Kamailio, coturn, softphones) would keep the namespace alive.
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    if [ -n "$pids" ]; then
      # shellcheck disable=SC2086
      kill $pids 2>/dev/null || true
      sleep 0.5
      pids=$(ip netns pids "$ns" 2>/dev/null || true)
      # shellcheck disable=SC2086
      [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
    fi
    ip netns delete "$ns" 2>/dev/null || true
  done
  rm -f "$STATE_FILE" "$STATE_FILE.tmp"
  [ -z "$(our_namespaces)" ] || die "could not delete: $(our_namespaces | tr '\n' ' ')"
  say "down: no namespaces with prefix '$PREFIX' left"
}

cmd_status() {
  if [ -f "$STATE_FILE" ] && ns_exists "$PUB_NS"; then
    cat "$STATE_FILE"
    return 0
  fi
  say "no topology with prefix '$PREFIX' is up"
  local left
  left=$(our_namespaces)
  [ -z "$left" ] || say "stale namespaces (run '$0 down'): $(echo "$left" | tr '\n' ' ')"
  return 1
}

# check: a UDP listener in the public namespace on two ports reports the source address of datagrams sent
# by PC1 from one fixed local port. Behind a NAT the source must be the router's WAN address; with
# --random-fully the port must differ from PC1's local port. "expire" and "loss" also check their feature.
cmd_check() {
  need_root
  command -v node >/dev/null || die "node not found (used for the UDP probes)"
  cmd_status >/dev/null || die "nothing is up"
  # shellcheck disable=SC1090
  . "$STATE_FILE"
  local out listener seen
  out=$(mktemp)
  ip netns exec "$PUB_NS" node -e '
    const dgram = require("dgram");
    const seen = {};
    const done = () => { console.log(JSON.stringify(Object.values(seen))); process.exit(0); };
    for (const port of [3478, 3479]) {
      const s = dgram.createSocket("udp4");
      s.on("message", (m, r) => { seen[port] ??= { to: port, from: r.address + ":" + r.port }; if (Object.keys(seen).length === 2) done(); });
      s.bind(port, process.argv[1]);
    }
    setTimeout(done, 3000);
  ' "$PUBLIC_IP" >"$out" &
  listener=$!
  sleep 0.5
  # Three copies of each probe, so the 5 % loss scenario still gets one through.
  ip netns exec "$PC1_NS" node -e '
    const s = require("dgram").createSocket("udp4");
    const to = [3478, 3479, 3478, 3479, 3478, 3479];
    s.bind(40000, () => { const next = () => to.length ? s.send("probe", to.shift(), process.argv[1], next) : s.close(); next(); });
  ' "$PUBLIC_IP"
  wait "$listener" || true
  seen=$(cat "$out")
  rm -f "$out"
  echo "PC1 $PC1_IP:40000 -> $PUBLIC_IP:3478 and :3479; the public side saw: $seen"
  node -e '
    const [seen, pc1, wan, scenario] = [JSON.parse(process.argv[1]), process.argv[2], process.argv[3], process.argv[4]];
    const fail = (m) => { console.log("CHECK FAILED: " + m); process.exit(1); };
    if (seen.length !== 2) fail("expected datagrams on 2 ports, got " + seen.length);
    const ips = seen.map((s) => s.from.split(":")[0]);
    const ports = seen.map((s) => Number(s.from.split(":")[1]));
    const expectIp = wan || pc1;
    if (!ips.every((ip) => ip === expectIp)) fail("source address " + ips + ", expected " + expectIp);
    if (scenario === "symmetric") {
      if (!ports.every((p) => p !== 40000)) fail("--random-fully kept source port 40000: " + ports);
      console.log("OK: source rewritten to the router (" + expectIp + "), port randomised: " + ports.join(", "));
    } else {
      console.log("OK: source seen as " + expectIp + " ports " + ports.join(", ") + (wan ? " (router address)" : " (no NAT)"));
    }
  ' "$seen" "$PC1_IP" "${R1_WAN_IP:-}" "$SCENARIO"
  case "$SCENARIO" in
    expire) check_expire ;;
    loss) check_loss ;;
  esac
}

# The public side answers PC1 after 3 s and after 13 s of silence: only the first answer may get through.
check_expire() {
  local got
  ip netns exec "$PUB_NS" node -e '
    const s = require("dgram").createSocket("udp4");
    s.on("message", (m, r) => { for (const d of [3000, 13000]) setTimeout(() => s.send("after " + d, r.port, r.address), d); setTimeout(() => s.close(), 14000); });
    s.bind(3480, process.argv[1]);
  ' "$PUBLIC_IP" &
  local server=$!
  sleep 0.5
  got=$(ip netns exec "$PC1_NS" node -e '
    const s = require("dgram").createSocket("udp4");
    const got = [];
    s.on("message", (m) => got.push(String(m)));
    s.bind(40001, () => s.send("open", 3480, process.argv[1]));
    setTimeout(() => { console.log(got.join(",")); s.close(); }, 14500);
  ' "$PUBLIC_IP")
  wait "$server" || true
  if [ "$got" = "after 3000" ]; then
    echo "OK: the NAT binding expired: the answer after 3 s arrived, the one after 13 s idle was dropped"
  else
    echo "CHECK FAILED: expected only 'after 3000', PC1 received '$got'"
    return 1
  fi
}

# 400 datagrams from PC1 to the public side through router 1: about LOSS of them must be lost.
check_loss() {
  local out
  out=$(mktemp)
  ip netns exec "$PUB_NS" node -e '
    const s = require("dgram").createSocket("udp4");
    let n = 0;
    s.on("message", () => n++);
    s.bind(3481, process.argv[1]);
    setTimeout(() => { console.log(n); s.close(); }, 3000);
  ' "$PUBLIC_IP" >"$out" &
  local server=$!
  sleep 0.5
  ip netns exec "$PC1_NS" node -e '
    const s = require("dgram").createSocket("udp4");
    let i = 0;
    const next = () => (i++ < 400 ? s.send("x", 3481, process.argv[1], () => setImmediate(next)) : s.close());
    next();
  ' "$PUBLIC_IP"
  wait "$server" || true
  local received
  received=$(cat "$out")
  rm -f "$out"
  node -e '
    const [received, p] = [Number(process.argv[1]), Number(process.argv[2])];
    const loss = 1 - received / 400;
    // Binomial(400, p): 4 standard deviations either side.
    const sd = Math.sqrt(400 * p * (1 - p)) / 400;
    const ok = Math.abs(loss - p) <= 4 * sd + 0.0025;
    console.log((ok ? "OK" : "CHECK FAILED") + ": " + received + "/400 arrived, loss " + (loss * 100).toFixed(1) + " % (configured " + p * 100 + " %)");
    process.exit(ok ? 0 : 1);
  ' "$received" "$LOSS"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  check) cmd_check ;;
  scenarios) echo "$SCENARIOS" ;;
  *) echo "usage: $0 up SCENARIO | down | status | check | scenarios   (scenarios: $SCENARIOS)" >&2; exit 2 ;;
esac
