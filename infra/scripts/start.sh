#!/usr/bin/env bash
# `npm start`: on a fresh Debian 12/13 machine, as root, installs what kemu needs, builds
# it, starts a 3-node cluster, applies the seed guide's web service with three pods and a
# client, and shows round robin through the ClusterIP.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source infra/scripts/lib.sh

require_root "npm start"
check_debian
# What CI installs, the same way (nats-server 2.10+, tools, docker, kubectl, pnpm).
bash infra/scripts/install-deps.sh

log "installing dependencies"
pnpm install --frozen-lockfile
log "building"
pnpm build

# up prints its own usage; the demo prints it at the end instead.
./kemu up --nodes 3 >/dev/null
KUBECONFIG=$(./kemu kubeconfig)
export KUBECONFIG
command -v kubectl >/dev/null 2>&1 || die "kubectl is missing: the cluster is up, but the demo needs kubectl"

kubectl apply -f infra/examples/web.yaml

log "waiting for web-pod-1, web-pod-2, web-pod-3 and client to be Ready"
deadline=$((SECONDS + 120))
for pod in web-pod-1 web-pod-2 web-pod-3 client; do
  until [[ $(kubectl get pod "$pod" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]; do
    ((SECONDS < deadline)) || die "pod $pod is not Ready after 120s (kubectl describe pod $pod)"
    sleep 1
  done
  echo "pod/$pod is Ready"
done
kubectl get svc,endpoints,pods -o wide

ip=$(kubectl get svc web-service -o 'jsonpath={.spec.clusterIP}')
log "6 requests from the client pod to web-service ($ip)"
for i in 1 2 3 4 5 6; do
  reply=$(./kemu exec client -- curl -s -m 5 "http://$ip/" || true)
  pod=$(printf '%s' "$reply" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).pod)}catch{console.log(s.trim()||"(no answer)")}})')
  echo "request $i -> answered by $pod"
done

cat <<USAGE

The cluster is up. Use it with:
  export KUBECONFIG=\$(./kemu kubeconfig)
  kubectl get svc,endpoints,pods -o wide
  kubectl exec client -- curl -s http://web-service/       # by name, through cluster DNS
  ./kemu exec client -- curl -s http://$ip/
  ./kemu status
  ./kemu down
USAGE
