#!/bin/sh
# Entrypoint of a compose node container: the container's netns is the node. It is
# named after its first address on the compose network (10.253.K.X → node-X), a name it
# keeps across restarts (docker may give a restarted container another address, and the
# node's credential names the node), with its current address as the node's; the controller
# gives it a pod CIDR, and its node-agent makes the pod bridge cbr0 and keeps host-gw
# routes to every other Node's pod CIDR (routed, not NATed). node-agent, proxy and dns
# run here, each restarted after a second when it exits. They share this node's NATS
# credential (the `node` role: it acts as this node only), which `kemu compose up`
# copies in once it knows the container's address: a join bundle, its nkey seed and
# the cluster CA the servers' TLS certificates are verified with. Pods are fenced off the
# compose network (pod-fence.mjs: NATS, the control plane, the other nodes), except DNS,
# NodePorts and what they reach through a ClusterIP.
set -eu
cd /opt/kemu
set -- $(ip -4 -o addr show dev eth0)
address=$4
ip=${address%/*}
name_file=/etc/kemu-node.name
if [ -s "$name_file" ]; then
  node=$(cat "$name_file")
else
  node=${KEMU_NODE:-node-${ip##*.}}
  echo "$node" >"$name_file"
fi

# Without `privileged`, docker mounts /proc/sys read-only; pods' netns need their sysctls.
mount -o remount,rw /proc/sys 2>/dev/null || true
sysctl -q -w net.ipv4.ip_forward=1 || true
# Pods are runc containers: runc makes a cgroup per container below this container's own,
# and docker mounts the cgroup hierarchies read-only without `privileged`.
for m in $(awk '$2 ~ "^/sys/fs/cgroup" {print $2}' /proc/self/mounts); do
  mount -o remount,rw "$m" 2>/dev/null || mount -o remount,bind,rw "$m" 2>/dev/null || true
done

export KEMU_NODE="$node" KEMU_NODE_IP="$ip"

creds=/etc/kemu-node.creds
waited=0
until grep -q 'END CERTIFICATE' "$creds" 2>/dev/null; do
  [ "$waited" -lt 1200 ] || { echo "node.sh: no NATS credential at $creds after 120 s (kemu compose up copies it)" >&2; exit 1; }
  sleep 0.1
  waited=$((waited + 1))
done
mkdir -p /etc/kemu
sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' "$creds" >/etc/kemu/ca.crt
# The components read the first line that is a seed (nats-credentials.ts's readSeedFile).
export KEMU_NATS_NKEY_FILE="$creds" KEMU_NATS_TLS_CA=/etc/kemu/ca.crt
export KEMU_SERVICE_CIDR="${KEMU_SERVICE_CIDR:-10.96.0.0/12}"
/opt/kemu/infra/docker/unreachable-routes.sh
# The fence is in place before any pod can start (the rules name cbr0 before it exists).
node /opt/kemu/infra/docker/pod-fence.mjs "$address" >/tmp/pod-fence.nft
nft -f /tmp/pod-fence.nft

# The event stream with its replicas, in case this node is faster than the control plane.
until node /opt/kemu/infra/docker/ensure-stream.mjs; do sleep 1; done

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
