export { LocalBackend, defaultResources } from './local-backend.js';
export type { LocalBackendOptions } from './local-backend.js';
