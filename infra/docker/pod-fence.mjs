// Prints the pod fence's nftables script (packages/netns/src/pod-fence.ts) for a compose
// node container, whose own netns is the node: node.sh pipes it to `nft -f -`. The
// underlay is the compose network (the subnet of the address given, e.g. 10.253.0.130/24):
// NATS, the control plane and the other node containers are there.
import { podFenceRuleset, subnetOf } from '/opt/kemu/packages/netns/dist/index.js';

const address = process.argv[2];
if (!address?.includes('/')) {
  process.stderr.write('usage: pod-fence.mjs <address/prefix on the compose network>\n');
  process.exit(2);
}
process.stdout.write(
  podFenceRuleset({
    podBridge: 'cbr0',
    underlayCidr: subnetOf(address),
    serviceCidr: process.env.KEMU_SERVICE_CIDR ?? '10.96.0.0/12',
  }),
);
