/** Pod IPs from the node's pod CIDR: shared with the hollow node-agent, so they live in @kemu/kubelet. */
export { allocatePodIP, gatewayOf, parsePodCidr } from '@kemu/kubelet';
