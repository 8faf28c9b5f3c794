export { LocalBackend } from './local-backend.js';
export type { LocalBackendOptions } from './local-backend.js';
export type { ContainerRuntimeChoice } from './container-runtime.js';
export { defaultResources } from './host-agent.js';
export { DEFAULT_MAX_LOG_BYTES } from './log-cap.js';
export { defaultUserProblem } from './run-as.js';
export { readUserAccounts } from './user-accounts.js';
