export { buildMirrorPod, mirrorPodStatus, publishMirrorPod, keepMirrorPod } from './mirror-pod.js';
export type { MirrorPodRun, MirrorContainer } from './mirror-pod.js';
