/**
 * Setup file of the `privileged` vitest project: its tests build network namespaces,
 * veths, routes and cgroups, which only root may do. Run without root, every such file
 * fails here with the missing privilege named, instead of skipping and letting a run
 * that tested nothing pass.
 */
import { requireRoot } from './require-root.js';

requireRoot('privileged tests (*.privileged.test.ts) create network namespaces, links, routes and cgroups');
