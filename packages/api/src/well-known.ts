/**
 * Well-known label, annotation and taint keys, as Kubernetes defines them
 * (k8s.io/api/core/v1 well_known_labels.go, well_known_taints.go, the kubelet's
 * config.mirror, the Deployment and EndpointSlice controllers' keys) and kemu's own
 * values for them. Every component takes its keys from here, so a key is spelled once.
 */

/** Node label: the node's hostname (the kubelet sets it to the node name). */
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
/** Node label: the operating system. */
export const OS_LABEL = 'kubernetes.io/os';
/** Node label: the CPU architecture. */
export const ARCH_LABEL = 'kubernetes.io/arch';
/** Node label: the operating system, deprecated beta key the kubelet still sets. */
export const BETA_OS_LABEL = 'beta.kubernetes.io/os';
/** Node label: the CPU architecture, deprecated beta key the kubelet still sets. */
export const BETA_ARCH_LABEL = 'beta.kubernetes.io/arch';
/** Node label: the zone, copied to each endpoint of an EndpointSlice. */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
/** Prefix of node role labels (`node-role.kubernetes.io/control-plane`). */
export const NODE_ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';

/** Taint the node lifecycle controller puts on a node whose Ready condition is False. */
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
/** Taint the node lifecycle controller puts on a node whose Ready condition is Unknown. */
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';

/** EndpointSlice label: the Service the slice belongs to. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** EndpointSlice label: the controller that manages the slice. */
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
/** Endpoints label: the mirroring controller leaves these Endpoints alone. */
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
/** Label a headless Service's Endpoints and EndpointSlices carry; on a Service, kube-proxy skips it. */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
/** Service label: another proxy implements this Service, so kube-proxy skips it. */
export const SERVICE_PROXY_NAME_LABEL = 'service.kubernetes.io/service-proxy-name';

/** ReplicaSet and Pod label: the hash of the Deployment's pod template. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
/** Deployment and ReplicaSet annotation: the rollout revision. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
/** ReplicaSet annotation: the Deployment's replicas when the ReplicaSet was last scaled. */
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
/** ReplicaSet annotation: replicas plus maxSurge when the ReplicaSet was last scaled. */
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';

/** StatefulSet pod and ControllerRevision label: the revision the pod was made from. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
/** StatefulSet pod label: the pod's own name (a stable selector for one replica). */
export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** StatefulSet pod label: the pod's ordinal. */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** Recommended label: the name of the application. */
export const APP_NAME_LABEL = 'app.kubernetes.io/name';

/** Label of cluster add-ons (kube-dns, kube-proxy): the application. */
export const K8S_APP_LABEL = 'k8s-app';
/** Label of cluster add-on Services. */
export const CLUSTER_SERVICE_LABEL = 'kubernetes.io/cluster-service';
/** Label of cluster add-on Services: the add-on's display name. */
export const KUBERNETES_NAME_LABEL = 'kubernetes.io/name';

/** Pod annotation marking a mirror pod: the API's view of a process a node runs itself. */
export const CONFIG_MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
/** Pod annotation: where a static pod's definition came from. */
export const CONFIG_SOURCE_ANNOTATION = 'kubernetes.io/config.source';
/** kemu's config.source value: the process is one of kemu's own components. */
export const CONFIG_SOURCE_KEMU = 'kemu';

/** Node label and Pod annotation (`true`) of kemu's hollow nodes and their pods: no process runs behind them (KWOK marks its nodes alike). */
export const HOLLOW_LABEL = 'kemu.dev/hollow';
