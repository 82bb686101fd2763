#!/bin/sh
# Entrypoint of a compose node container (privileged): the container's netns is the
# node. Its name and pod CIDR come from its address on the compose network
# (10.253.K.X → node-X, 10.244.X.0/24; nodes get X in 128..254 from the network's
# ip_range), so the pod routes to every other node container are known in advance:
# 10.244.Y.0/24 via 10.253.K.Y, routed, not NATed. Then node-agent, proxy and dns run,
# each restarted after a second when it exits.
set -eu
cd /opt/kemu
set -- $(ip -4 -o addr show dev eth0)
ip=${4%/*}
prefix=${ip%.*}
octet=${ip##*.}
node=${KEMU_NODE:-node-$octet}
pod_cidr=${KEMU_POD_CIDR:-10.244.$octet.0/24}
gateway=${pod_cidr%.*}.1
len=${pod_cidr#*/}

# Without `privileged`, docker mounts /proc/sys read-only; pods' netns need their sysctls.
mount -o remount,rw /proc/sys 2>/dev/null || true

# The pod bridge with a fixed MAC (see @kemu/netns bridgeMac).
ip link show cbr0 >/dev/null 2>&1 || ip link add name cbr0 address "02:6b:6d:fd:00:$(printf %02x "$octet")" type bridge
ip addr replace "$gateway/$len" dev cbr0
ip link set dev cbr0 up
sysctl -q -w net.ipv4.ip_forward=1 || true
y=128
while [ "$y" -le 254 ]; do
  [ "$y" -ne "$octet" ] && ip route replace "10.244.$y.0/24" via "$prefix.$y" dev eth0
  y=$((y + 1))
done

export KEMU_NODE="$node" KEMU_NODE_IP="$ip" KEMU_POD_CIDR="$pod_cidr"
export KEMU_SERVICE_CIDR="${KEMU_SERVICE_CIDR:-10.96.0.0/12}"

supervise() {
  while :; do
    node "/opt/kemu/services/$1/dist/main.js" || true
    echo "{\"level\":40,\"component\":\"node\",\"node\":\"$node\",\"object\":\"$1\",\"msg\":\"exited; restarting in 1s\"}"
    sleep 1
  done
}

trap 'kill 0; exit 0' TERM INT
supervise node-agent &
supervise proxy &
supervise dns &
wait
