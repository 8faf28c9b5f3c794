/** validation::scheduler::call::validate: the checks that precede any framework lookup. */
import type { Call } from '../types.js';
import { isValidUuidBase64 } from './uuid.js';

export const KNOWN_CALL_TYPES = [
  'UNKNOWN', 'SUBSCRIBE', 'TEARDOWN', 'ACCEPT', 'DECLINE', 'ACCEPT_INVERSE_OFFERS', 'DECLINE_INVERSE_OFFERS',
  'REVIVE', 'KILL', 'SHUTDOWN', 'ACKNOWLEDGE', 'ACKNOWLEDGE_OPERATION_STATUS', 'RECONCILE', 'RECONCILE_OPERATIONS',
  'MESSAGE', 'REQUEST', 'SUPPRESS', 'UPDATE_FRAMEWORK',
] as const;

/** Types whose sub-message is required; REVIVE, SUPPRESS and TEARDOWN need none. */
const NEEDS_SUB_MESSAGE = new Set([
  'SUBSCRIBE', 'ACCEPT', 'DECLINE', 'ACCEPT_INVERSE_OFFERS', 'DECLINE_INVERSE_OFFERS', 'KILL', 'SHUTDOWN', 'ACKNOWLEDGE',
  'ACKNOWLEDGE_OPERATION_STATUS', 'RECONCILE', 'RECONCILE_OPERATIONS', 'MESSAGE', 'REQUEST', 'UPDATE_FRAMEWORK',
]);

const subMessageName = (type: string): string => type.toLowerCase();

/** SUBSCRIBE (in call validation) and every other call (once the framework is found) answer it with 400. */
export const principalMismatch = (authenticated: string, inFrameworkInfo: string): string =>
  `Authenticated principal '${authenticated}' does not match principal '${inFrameworkInfo}' set in \`FrameworkInfo\``;

/**
 * An error message (to prefix with "Failed to validate scheduler::Call: "), or undefined.
 * `principal`: who authenticated, when the master authenticates frameworks.
 */
export function validateCall(call: Call & Record<string, unknown>, principal?: string): string | undefined {
  const type = call.type as string | undefined;
  // stout drops an unknown enum name on an optional field, so it reads as "absent".
  if (type === undefined || !(KNOWN_CALL_TYPES as readonly string[]).includes(type)) return "Expecting 'type' to be present";
  if (NEEDS_SUB_MESSAGE.has(type) && call[subMessageName(type)] === undefined) return `Expecting '${subMessageName(type)}' to be present`;
  if (type === 'SUBSCRIBE') {
    const infoId = call.subscribe?.framework_info.id?.value;
    if (call.framework_id?.value !== infoId) return "'framework_id' differs from 'subscribe.framework_info.id'";
    const claimed = call.subscribe?.framework_info.principal;
    if (principal !== undefined && claimed !== undefined && claimed !== principal) return principalMismatch(principal, claimed);
    return undefined;
  }
  if (call.framework_id === undefined) return "Expecting 'framework_id' to be present";
  if (type === 'UPDATE_FRAMEWORK' && call.update_framework?.framework_info.id?.value !== call.framework_id.value) {
    return "'framework_id' differs from 'update_framework.framework_info.id'";
  }
  if (type === 'ACKNOWLEDGE' && !isValidUuidBase64(call.acknowledge?.uuid)) return 'Not a valid UUID';
  if (type === 'ACKNOWLEDGE_OPERATION_STATUS') {
    const ack = call.acknowledge_operation_status as { uuid?: unknown; agent_id?: unknown };
    if (!isValidUuidBase64(ack.uuid)) return 'Not a valid UUID';
    if (ack.agent_id === undefined) return "Expecting 'agent_id' to be present";
  }
  return undefined;
}
