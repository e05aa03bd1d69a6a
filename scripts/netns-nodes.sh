#!/usr/bin/env bash
# Two "machines" on one box for trying (and testing) multi-node Forge jobs without a cluster: two Linux network namespaces
# joined by a veth pair (one IP each, a private /30), each with its own host name and its own private work folder, and an
# Open MPI remote agent that enters the target namespace instead of using ssh. Needs root (ip netns, unshare, mount).
#
#   scripts/netns-nodes.sh up   NAME DIR [SUBNET]   # namespaces NAME0/NAME1, DIR/hosts.txt, DIR/agent.sh, DIR/node0, DIR/node1
#   scripts/netns-nodes.sh run  NAME DIR CMD...      # CMD on node 0 (namespace NAME0, host name node0, DIR/node0 seen as DIR/work)
#   scripts/netns-nodes.sh down NAME                 # kills what still runs inside and removes both namespaces
#   scripts/netns-nodes.sh kill-node NAME N          # node N dies: what runs inside is killed and its namespace removed
#
# SUBNET is the first three octets of a 10.x.y.0/30 (default 10.250.0): node0 = .1, node1 = .2. Open MPI is told (via
# OMPI_MCA_* variables, see 'run') to launch through DIR/agent.sh and to use only that link for its TCP traffic. A node's
# files live in DIR/nodeN and are mounted on DIR/work inside that node only, so the same path holds different files on the
# two nodes, as on two machines without a shared disk (the DIR/nodeN folders themselves are hidden inside the nodes).
set -euo pipefail
cmd="${1:-}"; name="${2:-}"
[ -n "$cmd" ] && [ -n "$name" ] || { sed -n '2,14p' "$0" >&2; exit 2; }

node_shell() { # $1 = node index, $2 = DIR; the rest: command. Enters the node's mount and UTS namespaces with its files on DIR/work.
  local n="$1" dir="$2"; shift 2
  # After the bind, empty tmpfs mounts hide both nodes' folders: a node sees its own files on DIR/work and nothing of the other's.
  exec unshare --mount --uts --propagation private sh -c 'hostname "node$1" && mount --bind "$2/node$1" "$2/work" &&
    mount -t tmpfs tmpfs "$2/node0" && mount -t tmpfs tmpfs "$2/node1" && cd "$2/work" && shift 2 && exec "$@"' \
    node-shell "$n" "$dir" "$@"
}

case "$cmd" in
  up)
    dir="$(realpath -m "$3")"; subnet="${4:-10.250.0}"
    mkdir -p "$dir/node0" "$dir/node1" "$dir/work"
    ip netns add "${name}0"; ip netns add "${name}1"
    ip link add "${name}v0" type veth peer name "${name}v1"
    for n in 0 1; do
      ip link set "${name}v$n" netns "${name}$n"
      ip -n "${name}$n" addr add "$subnet.$((n + 1))/30" dev "${name}v$n"
      ip -n "${name}$n" link set "${name}v$n" up
      ip -n "${name}$n" link set lo up
    done
    printf '%s.1 slots=1\n%s.2 slots=1\n' "$subnet" "$subnet" > "$dir/hosts.txt"
    # Open MPI runs: AGENT [options] HOST COMMAND... ; the command is one shell string (it sets PATH and starts orted).
    cat > "$dir/agent.sh" <<AGENT
#!/usr/bin/env bash
while [ \$# -gt 0 ] && [ "\${1#-}" != "\$1" ]; do shift; done
host="\$1"; shift
case "\$host" in
  $subnet.1) n=0 ;;
  $subnet.2) n=1 ;;
  *) echo "agent.sh: unknown host \$host" >&2; exit 255 ;;
esac
# From the mount namespace 'run' was started in (where DIR/nodeN are visible), not from the calling node's.
exec nsenter --mount="\${NETNS_NODES_MNT:-/proc/self/ns/mnt}" ip netns exec "${name}\$n" "$(realpath "$0")" node-shell "\$n" "$dir" sh -c "\$*"
AGENT
    chmod +x "$dir/agent.sh"
    echo "nodes up: node0 = $subnet.1 (namespace ${name}0), node1 = $subnet.2 (namespace ${name}1); hostfile $dir/hosts.txt"
    ;;
  node-shell) shift; node_shell "$@" ;;   # internal: used by agent.sh and run
  run)
    dir="$(realpath -m "$3")"; shift 3
    subnet="$(head -1 "$dir/hosts.txt" | cut -d' ' -f1)"; subnet="${subnet%.*}"
    export OMPI_MCA_plm_rsh_agent="$dir/agent.sh" OMPI_MCA_btl=self,tcp OMPI_MCA_btl_tcp_if_include="$subnet.0/30" \
           OMPI_MCA_oob_tcp_if_include="$subnet.0/30" OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    # This shell stays in the original mount namespace while the job runs: the agent enters it to reach DIR/node1.
    export NETNS_NODES_MNT="/proc/$$/ns/mnt"
    rc=0; ip netns exec "${name}0" "$(realpath "$0")" node-shell 0 "$dir" "$@" || rc=$?
    exit "$rc"
    ;;
  kill-node)
    n="${3:?node index}"
    for pid in $(ip netns pids "${name}$n"); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns delete "${name}$n"
    ;;
  down)
    for n in 0 1; do
      if [ -e "/var/run/netns/${name}$n" ]; then
        for pid in $(ip netns pids "${name}$n"); do kill -9 "$pid" 2>/dev/null || true; done
        ip netns delete "${name}$n"
      fi
    done
    ;;
  *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
