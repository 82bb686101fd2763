#!/bin/sh
# Run by node.sh in a compose node container (the container's netns is the node): docker
# gives it a default route through the host's bridge, so a packet to a pod or service
# address nobody holds would leave the machine. `unreachable` routes for the cluster's
# pod CIDR (the controller's KEMU_CLUSTER_CIDR) and service CIDR stop it here; the
# node-agent's more specific routes (cbr0, host-gw /24s) and the proxy's ClusterIPs on lo
# still win. Idempotent (route replace).
set -eu
ip route replace unreachable "${KEMU_CLUSTER_CIDR:-10.244.0.0/16}"
ip route replace unreachable "${KEMU_SERVICE_CIDR:-10.96.0.0/12}"
