// Checks that docker-compose.yml, the Kubernetes manifests and the Dockerfile agree with
// the code: the config schema, package.json, the modules and the files in the repo. Each
// check returns problems as sentences; an empty list means the files are consistent.

export { describeCommand } from './commands.js';
export { checkCompose, composeTopology } from './compose.js';
export { checkDockerfile, parseDockerfile } from './dockerfile.js';
export { checkKubernetes, kubernetesTopology } from './kubernetes.js';
export { renderKustomization, strategicMerge } from './kustomize.js';
export { type RepoFacts, loadRepoFacts } from './repo-facts.js';
export { hostedModules } from './topology.js';
