/** FrameworkInfo rules a SUBSCRIBE must pass (failures are an ERROR event, not a 4xx). */
import type { FrameworkCapability, FrameworkInfo } from '../types.js';

export const hasCapability = (info: FrameworkInfo, capability: FrameworkCapability): boolean =>
  (info.capabilities ?? []).some((c) => c.type === capability);

/** The roles a framework subscribes to: `roles` with MULTI_ROLE, else the legacy `role` (default "*"). */
export function frameworkRoles(info: FrameworkInfo): string[] {
  return hasCapability(info, 'MULTI_ROLE') ? [...(info.roles ?? [])] : [info.role ?? '*'];
}

export function validateRole(role: string): string | undefined {
  if (role === '*') return undefined;
  if (role === '') return 'Empty role name is invalid';
  if (/[\s\x00-\x1f\x7f]/.test(role)) return `Role '${role}' contains invalid characters`;
  if (role.startsWith('/') || role.endsWith('/')) return `Role '${role}' cannot start or end with a slash`;
  if (role.includes('//')) return `Role '${role}' cannot contain two adjacent slashes`;
  for (const part of role.split('/')) {
    if (part === '.' || part === '..') return `Role '${role}' cannot include '.' or '..' as a path component`;
    if (part.startsWith('-')) return `Role '${role}' cannot start with '-'`;
    if (part.includes('*')) return `Role '${role}' cannot contain '*'`;
  }
  return undefined;
}

/** One nanosecond count must fit in int64, as Duration::create demands. */
const MAX_FAILOVER_SECONDS = 9_223_372_036.854775807;

export function validateFrameworkInfo(info: FrameworkInfo, suppressedRoles: readonly string[] = []): string | undefined {
  const multiRole = hasCapability(info, 'MULTI_ROLE');
  if (multiRole && info.role !== undefined) return "'FrameworkInfo.role' must not be present when the MULTI_ROLE capability is set";
  if (!multiRole && (info.roles ?? []).length > 0) return "'FrameworkInfo.roles' must not be present when the MULTI_ROLE capability is not set";
  const roles = frameworkRoles(info);
  const seen = new Set<string>();
  for (const role of roles) {
    const error = validateRole(role);
    if (error) return error;
    if (seen.has(role)) return `'FrameworkInfo.roles' contains duplicate role '${role}'`;
    seen.add(role);
  }
  const timeout = info.failover_timeout;
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isFinite(timeout) || Math.abs(timeout) > MAX_FAILOVER_SECONDS)) {
    return `Invalid 'FrameworkInfo.failover_timeout': ${String(timeout)} seconds is not representable as a Duration`;
  }
  for (const role of suppressedRoles) {
    if (!seen.has(role)) return `Suppressed role '${role}' is not contained in the list of roles`;
  }
  return undefined;
}
