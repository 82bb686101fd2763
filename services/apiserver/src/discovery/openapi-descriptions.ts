/**
 * Field descriptions `kubectl explain` prints, as the Kubernetes API documents them, for
 * the fields every kind has and the specs of the workload kinds. Keyed by
 * `<Kind>.<path>` (or `*.<path>` for every kind); fields without one print
 * `<no description>`.
 */
const CONVENTIONS = 'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md';

/** Descriptions by `<Kind>.<field path>`. */
export const FIELD_DESCRIPTIONS: Record<string, string> = {
  'ConfigMap.data':
    "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
  'ConfigMap.binaryData':
    "BinaryData contains the binary data. Each key must consist of alphanumeric characters, '-', '_' or '.'. BinaryData can contain byte sequences that are not in the UTF-8 range. The keys stored in BinaryData must not overlap with the ones in the Data field, this is enforced during validation process. Using this field will require 1.10+ apiserver and kubelet.",
  'ConfigMap.immutable':
    'Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil.',
  'Secret.data':
    "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
  'Secret.stringData':
    'stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience. All keys and values are merged into the data field on write, overwriting any existing values. The stringData field is never output when reading from the API.',
  'Secret.type':
    'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types',
  'Secret.immutable':
    'Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil.',
  '*.apiVersion': `APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: ${CONVENTIONS}#resources`,
  '*.kind': `Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: ${CONVENTIONS}#types-kinds`,
  '*.metadata': `Standard object's metadata. More info: ${CONVENTIONS}#metadata`,
  'StatefulSet.spec': 'Spec defines the desired identities of pods in this set.',
  'StatefulSet.status':
    'Status is the current status of Pods in this StatefulSet. This data may be out of date by some window of time.',
  'StatefulSet.spec.replicas':
    'replicas is the desired number of replicas of the given Template. These are replicas in the sense that they are instantiations of the same Template, but individual replicas also have a consistent identity. If unspecified, defaults to 1.',
  'StatefulSet.spec.selector':
    "selector is a label query over pods that should match the replica count. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
  'StatefulSet.spec.template':
    'template is the object that describes the pod that will be created if insufficient replicas are detected. Each pod stamped out by the StatefulSet will fulfill this Template, but have a unique identity from the rest of the StatefulSet. Each pod will be named with the format <statefulsetname>-<podindex>. For example, a pod in a StatefulSet named "web" with index number "3" would be named "web-3". The only allowed template.spec.restartPolicy value is "Always".',
  'StatefulSet.spec.serviceName':
    'serviceName is the name of the service that governs this StatefulSet. This service must exist before the StatefulSet, and is responsible for the network identity of the set. Pods get DNS/hostnames that follow the pattern: pod-specific-string.serviceName.default.svc.cluster.local where "pod-specific-string" is managed by the StatefulSet controller.',
  'StatefulSet.spec.podManagementPolicy':
    'podManagementPolicy controls how pods are created during initial scale up, when replacing pods on nodes, or when scaling down. The default policy is `OrderedReady`, where pods are created in increasing order (pod-0, then pod-1, etc) and the controller will wait until each pod is ready before continuing. When scaling down, the pods are removed in the opposite order. The alternative policy is `Parallel` which will create pods in parallel to match the desired scale without waiting, and on scale down will delete all pods at once.',
  'StatefulSet.spec.updateStrategy':
    'updateStrategy indicates the StatefulSetUpdateStrategy that will be employed to update Pods in the StatefulSet when a revision is made to Template.',
  'StatefulSet.spec.updateStrategy.rollingUpdate.partition':
    'Partition indicates the ordinal at which the StatefulSet should be partitioned for updates. During a rolling update, all pods from ordinal Replicas-1 to Partition are updated. All pods from ordinal Partition-1 to 0 remain untouched. This is helpful in being able to do a canary based deployment. The default value is 0.',
  'StatefulSet.spec.volumeClaimTemplates':
    'volumeClaimTemplates is a list of claims that pods are allowed to reference. kemu has no storage yet and refuses a StatefulSet that lists any.',
  'StatefulSet.spec.revisionHistoryLimit':
    "revisionHistoryLimit is the maximum number of revisions that will be maintained in the StatefulSet's revision history. The revision history consists of all revisions not represented by a currently applied StatefulSetSpec version. The default value is 10.",
  'DaemonSet.spec': `The desired behavior of this daemon set. More info: ${CONVENTIONS}#spec-and-status`,
  'DaemonSet.spec.selector':
    "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
  'DaemonSet.spec.template':
    'An object that describes the pod that will be created. The DaemonSet will create exactly one copy of this pod on every node that matches the template\'s node selector (or on every node if no node selector is specified). The only allowed template.spec.restartPolicy value is "Always".',
  'DaemonSet.spec.updateStrategy': 'An update strategy to replace existing DaemonSet pods with new pods.',
  'Job.spec': `Specification of the desired behavior of a job. More info: ${CONVENTIONS}#spec-and-status`,
  'Job.spec.parallelism':
    'Specifies the maximum desired number of pods the job should run at any given time. The actual number of pods running in steady state will be less than this number when ((.spec.completions - .status.successful) < .spec.parallelism), i.e. when the work left to do is less than max parallelism.',
  'Job.spec.completions':
    'Specifies the desired number of successfully finished pods the job should be run with.  Setting to null means that the success of any pod signals the success of all pods, and allows parallelism to have any positive value.  Setting to 1 means that parallelism is limited to 1 and the success of that pod signals the success of the job.',
  'Job.spec.backoffLimit': 'Specifies the number of retries before marking this job failed. Defaults to 6',
  'Job.spec.activeDeadlineSeconds':
    'Specifies the duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it; value must be positive integer.',
  'Job.spec.ttlSecondsAfterFinished':
    'ttlSecondsAfterFinished limits the lifetime of a Job that has finished execution (either Complete or Failed). If this field is set, ttlSecondsAfterFinished after the Job finishes, it is eligible to be automatically deleted.',
  'Job.spec.template':
    'Describes the pod that will be created when executing a job. The only allowed template.spec.restartPolicy values are "Never" or "OnFailure".',
  'CronJob.spec': `Specification of the desired behavior of a cron job, including the schedule. More info: ${CONVENTIONS}#spec-and-status`,
  'CronJob.spec.schedule': 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.',
  'CronJob.spec.concurrencyPolicy':
    'Specifies how to treat concurrent executions of a Job. Valid values are:\n\n- "Allow" (default): allows CronJobs to run concurrently; - "Forbid": forbids concurrent runs, skipping next run if previous run hasn\'t finished yet; - "Replace": cancels currently running job and replaces it with a new one',
  'CronJob.spec.jobTemplate': 'Specifies the job that will be created when executing a CronJob.',
  'CronJob.spec.successfulJobsHistoryLimit':
    'The number of successful finished jobs to retain. Value must be non-negative integer. Defaults to 3.',
  'CronJob.spec.failedJobsHistoryLimit':
    'The number of failed finished jobs to retain. Value must be non-negative integer. Defaults to 1.',
  'CronJob.spec.suspend':
    'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.',
};

/** The description of the field at `path` of `kind`, if documented. */
export function fieldDescription(kind: string, path: string): string | undefined {
  return FIELD_DESCRIPTIONS[`${kind}.${path}`] ?? FIELD_DESCRIPTIONS[`*.${path}`];
}
