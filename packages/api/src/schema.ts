/**
 * A compact structural schema of the kinds kemu serves (the fields of their Go types
 * and JSON types), used for strict decoding: unknown fields and wrong JSON types.
 * `any` subtrees (status, affinity, securityContext …) are accepted loosely.
 */

/** A field's schema: a Go leaf type, `any`, or an object / array / map of schemas. */
export type Schema =
  | 'string'
  | 'bool'
  | 'int32'
  | 'int64'
  | 'float64'
  | 'any'
  /** []byte: a base64 string in JSON. */
  | 'bytes'
  | 'quantity'
  | 'intOrString'
  | { struct: string; fields: Record<string, Schema> }
  | { array: Schema }
  | { map: Schema };

const o = (struct: string, fields: Record<string, Schema>): Schema => ({ struct, fields });
const a = (item: Schema): Schema => ({ array: item });
const m = (value: Schema): Schema => ({ map: value });
const strings = a('string');
const labels = m('string');
const fieldsOf = (names: string, type: Schema): Record<string, Schema> =>
  Object.fromEntries(names.split(' ').map((n) => [n, type]));

const objectReference = o(
  'ObjectReference',
  fieldsOf('apiVersion fieldPath kind name namespace resourceVersion uid', 'string'),
);
const objectMeta = o('ObjectMeta', {
  ...fieldsOf('name generateName namespace selfLink uid resourceVersion', 'string'),
  ...fieldsOf('creationTimestamp deletionTimestamp managedFields', 'any'),
  generation: 'int64',
  deletionGracePeriodSeconds: 'int64',
  labels,
  annotations: labels,
  finalizers: strings,
  ownerReferences: a(
    o('OwnerReference', {
      ...fieldsOf('apiVersion kind name uid', 'string'),
      controller: 'bool',
      blockOwnerDeletion: 'bool',
    }),
  ),
});
const labelSelector = o('LabelSelector', {
  matchLabels: labels,
  matchExpressions: a(o('LabelSelectorRequirement', { key: 'string', operator: 'string', values: strings })),
});

const policyRule = o('PolicyRule', {
  verbs: strings,
  apiGroups: strings,
  resources: strings,
  resourceNames: strings,
  nonResourceURLs: strings,
});

const probe = o('Probe', {
  exec: o('ExecAction', { command: strings }),
  httpGet: o('HTTPGetAction', {
    ...fieldsOf('host path scheme', 'string'),
    port: 'intOrString',
    httpHeaders: a(o('HTTPHeader', fieldsOf('name value', 'string'))),
  }),
  tcpSocket: o('TCPSocketAction', { host: 'string', port: 'intOrString' }),
  grpc: o('GRPCAction', { port: 'int32', service: 'string' }),
  ...fieldsOf('initialDelaySeconds timeoutSeconds periodSeconds successThreshold failureThreshold', 'int32'),
  terminationGracePeriodSeconds: 'int64',
});
const container = o('Container', {
  ...fieldsOf(
    'name image imagePullPolicy terminationMessagePath terminationMessagePolicy workingDir restartPolicy',
    'string',
  ),
  command: strings,
  args: strings,
  stdin: 'bool',
  stdinOnce: 'bool',
  tty: 'bool',
  ...fieldsOf('envFrom lifecycle securityContext resizePolicy volumeDevices', 'any'),
  env: a(
    o('EnvVar', {
      name: 'string',
      value: 'string',
      valueFrom: o('EnvVarSource', {
        fieldRef: o('ObjectFieldSelector', fieldsOf('apiVersion fieldPath', 'string')),
        ...fieldsOf('configMapKeyRef secretKeyRef resourceFieldRef', 'any'),
      }),
    }),
  ),
  ports: a(
    o('ContainerPort', {
      name: 'string',
      containerPort: 'int32',
      hostPort: 'int32',
      hostIP: 'string',
      protocol: 'string',
    }),
  ),
  resources: o('ResourceRequirements', { limits: m('quantity'), requests: m('quantity'), claims: 'any' }),
  volumeMounts: a(
    o('VolumeMount', {
      ...fieldsOf('name mountPath subPath subPathExpr mountPropagation recursiveReadOnly', 'string'),
      readOnly: 'bool',
    }),
  ),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
});
const volumeSources =
  'emptyDir configMap secret hostPath persistentVolumeClaim projected downwardAPI nfs csi ephemeral image awsElasticBlockStore azureDisk azureFile cephfs cinder fc flexVolume flocker gcePersistentDisk gitRepo glusterfs iscsi photonPersistentDisk portworxVolume quobyte rbd scaleIO storageos vsphereVolume';
const podSpec = o('PodSpec', {
  containers: a(container),
  initContainers: a(container),
  ephemeralContainers: 'any',
  volumes: a(o('Volume', { name: 'string', ...fieldsOf(volumeSources, 'any') })),
  ...fieldsOf(
    'restartPolicy dnsPolicy serviceAccountName serviceAccount nodeName hostname subdomain schedulerName priorityClassName preemptionPolicy runtimeClassName',
    'string',
  ),
  ...fieldsOf(
    'hostNetwork hostPID hostIPC hostUsers shareProcessNamespace automountServiceAccountToken enableServiceLinks setHostnameAsFQDN',
    'bool',
  ),
  ...fieldsOf(
    'affinity securityContext dnsConfig topologySpreadConstraints resourceClaims resources overhead os schedulingGates',
    'any',
  ),
  terminationGracePeriodSeconds: 'int64',
  activeDeadlineSeconds: 'int64',
  priority: 'int32',
  nodeSelector: labels,
  imagePullSecrets: a(o('LocalObjectReference', { name: 'string' })),
  hostAliases: a(o('HostAlias', { ip: 'string', hostnames: strings })),
  readinessGates: a(o('PodReadinessGate', { conditionType: 'string' })),
  tolerations: a(o('Toleration', { ...fieldsOf('key operator value effect', 'string'), tolerationSeconds: 'int64' })),
});
const podTemplate = o('PodTemplateSpec', { metadata: objectMeta, spec: podSpec });
const servicePort = o('ServicePort', {
  ...fieldsOf('name protocol appProtocol', 'string'),
  port: 'int32',
  targetPort: 'intOrString',
  nodePort: 'int32',
});
const serviceSpec = o('ServiceSpec', {
  ...fieldsOf(
    'type clusterIP externalName externalTrafficPolicy internalTrafficPolicy ipFamilyPolicy loadBalancerClass loadBalancerIP sessionAffinity trafficDistribution',
    'string',
  ),
  ports: a(servicePort),
  selector: labels,
  clusterIPs: strings,
  externalIPs: strings,
  ipFamilies: strings,
  loadBalancerSourceRanges: strings,
  publishNotReadyAddresses: 'bool',
  allocateLoadBalancerNodePorts: 'bool',
  healthCheckNodePort: 'int32',
  sessionAffinityConfig: o('SessionAffinityConfig', { clientIP: o('ClientIPConfig', { timeoutSeconds: 'int32' }) }),
});
const endpointPort = (struct: string): Schema =>
  o(struct, { ...fieldsOf('name protocol appProtocol', 'string'), port: 'int32' });
const endpointAddress = o('EndpointAddress', {
  ...fieldsOf('ip hostname nodeName', 'string'),
  targetRef: objectReference,
});

const jobSpec = o('JobSpec', {
  ...fieldsOf(
    'parallelism completions backoffLimit backoffLimitPerIndex maxFailedIndexes ttlSecondsAfterFinished',
    'int32',
  ),
  activeDeadlineSeconds: 'int64',
  ...fieldsOf('manualSelector suspend', 'bool'),
  ...fieldsOf('completionMode podReplacementPolicy managedBy', 'string'),
  ...fieldsOf('podFailurePolicy successPolicy', 'any'),
  selector: labelSelector,
  template: podTemplate,
});
const top = (kind: string, fields: Record<string, Schema>): Schema =>
  o(kind, { apiVersion: 'string', kind: 'string', metadata: objectMeta, ...fields });

/** Schemas by kind. */
export const schemas: Record<string, Schema> = {
  Pod: top('Pod', { spec: podSpec, status: 'any' }),
  Service: top('Service', { spec: serviceSpec, status: 'any' }),
  Endpoints: top('Endpoints', {
    subsets: a(
      o('EndpointSubset', {
        addresses: a(endpointAddress),
        notReadyAddresses: a(endpointAddress),
        ports: a(endpointPort('EndpointPort')),
      }),
    ),
  }),
  EndpointSlice: top('EndpointSlice', {
    addressType: 'string',
    ports: a(endpointPort('EndpointPort')),
    endpoints: a(
      o('Endpoint', {
        addresses: strings,
        conditions: o('EndpointConditions', fieldsOf('ready serving terminating', 'bool')),
        ...fieldsOf('hostname nodeName zone', 'string'),
        targetRef: objectReference,
        deprecatedTopology: labels,
        hints: 'any',
      }),
    ),
  }),
  Namespace: top('Namespace', { spec: o('NamespaceSpec', { finalizers: strings }), status: 'any' }),
  Node: top('Node', {
    spec: o('NodeSpec', {
      ...fieldsOf('podCIDR providerID externalID', 'string'),
      podCIDRs: strings,
      unschedulable: 'bool',
      taints: 'any',
      configSource: 'any',
    }),
    status: 'any',
  }),
  Event: top('Event', {
    involvedObject: objectReference,
    related: objectReference,
    source: o('EventSource', fieldsOf('component host', 'string')),
    ...fieldsOf('reason message type action reportingComponent reportingInstance', 'string'),
    ...fieldsOf('firstTimestamp lastTimestamp eventTime series', 'any'),
    count: 'int32',
  }),
  Deployment: top('Deployment', {
    spec: o('DeploymentSpec', {
      ...fieldsOf('replicas minReadySeconds revisionHistoryLimit progressDeadlineSeconds', 'int32'),
      paused: 'bool',
      selector: labelSelector,
      template: podTemplate,
      strategy: o('DeploymentStrategy', {
        type: 'string',
        rollingUpdate: o('RollingUpdateDeployment', fieldsOf('maxSurge maxUnavailable', 'intOrString')),
      }),
    }),
    status: 'any',
  }),
  ReplicaSet: top('ReplicaSet', {
    spec: o('ReplicaSetSpec', {
      ...fieldsOf('replicas minReadySeconds', 'int32'),
      selector: labelSelector,
      template: podTemplate,
    }),
    status: 'any',
  }),
  StatefulSet: top('StatefulSet', {
    spec: o('StatefulSetSpec', {
      ...fieldsOf('replicas minReadySeconds revisionHistoryLimit', 'int32'),
      ...fieldsOf('serviceName podManagementPolicy', 'string'),
      selector: labelSelector,
      template: podTemplate,
      updateStrategy: o('StatefulSetUpdateStrategy', {
        type: 'string',
        rollingUpdate: o('RollingUpdateStatefulSetStrategy', { partition: 'int32', maxUnavailable: 'intOrString' }),
      }),
      volumeClaimTemplates: a('any'),
      persistentVolumeClaimRetentionPolicy: o(
        'StatefulSetPersistentVolumeClaimRetentionPolicy',
        fieldsOf('whenDeleted whenScaled', 'string'),
      ),
      ordinals: o('StatefulSetOrdinals', { start: 'int32' }),
    }),
    status: 'any',
  }),
  DaemonSet: top('DaemonSet', {
    spec: o('DaemonSetSpec', {
      ...fieldsOf('minReadySeconds revisionHistoryLimit', 'int32'),
      selector: labelSelector,
      template: podTemplate,
      updateStrategy: o('DaemonSetUpdateStrategy', {
        type: 'string',
        rollingUpdate: o('RollingUpdateDaemonSet', fieldsOf('maxSurge maxUnavailable', 'intOrString')),
      }),
    }),
    status: 'any',
  }),
  Job: top('Job', { spec: jobSpec, status: 'any' }),
  CronJob: top('CronJob', {
    spec: o('CronJobSpec', {
      ...fieldsOf('schedule timeZone concurrencyPolicy', 'string'),
      startingDeadlineSeconds: 'int64',
      suspend: 'bool',
      jobTemplate: o('JobTemplateSpec', { metadata: objectMeta, spec: jobSpec }),
      ...fieldsOf('successfulJobsHistoryLimit failedJobsHistoryLimit', 'int32'),
    }),
    status: 'any',
  }),
  ControllerRevision: top('ControllerRevision', { data: 'any', revision: 'int64' }),
  IPAddress: top('IPAddress', {
    spec: o('IPAddressSpec', { parentRef: o('ParentReference', fieldsOf('group resource namespace name', 'string')) }),
  }),
  ConfigMap: top('ConfigMap', { data: labels, binaryData: m('bytes'), immutable: 'bool' }),
  Secret: top('Secret', { type: 'string', data: m('bytes'), stringData: labels, immutable: 'bool' }),
  ServiceAccount: top('ServiceAccount', {
    secrets: a(objectReference),
    imagePullSecrets: a(o('LocalObjectReference', { name: 'string' })),
    automountServiceAccountToken: 'bool',
  }),
  ...Object.fromEntries(
    ['Role', 'ClusterRole'].map((k) => [k, top(k, { rules: a(policyRule), aggregationRule: 'any' })]),
  ),
  ...Object.fromEntries(
    ['RoleBinding', 'ClusterRoleBinding'].map((k) => [
      k,
      top(k, {
        subjects: a(o('Subject', fieldsOf('kind apiGroup name namespace', 'string'))),
        roleRef: o('RoleRef', fieldsOf('apiGroup kind name', 'string')),
      }),
    ]),
  ),
  Lease: top('Lease', {
    spec: o('LeaseSpec', {
      ...fieldsOf('holderIdentity acquireTime renewTime strategy preferredHolder', 'string'),
      ...fieldsOf('leaseDurationSeconds leaseTransitions', 'int32'),
    }),
  }),
};
