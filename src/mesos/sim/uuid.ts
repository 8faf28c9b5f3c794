import { randomUUID } from 'node:crypto';

/** A textual RFC-4122 v4 UUID, as used for master IDs and Mesos-Stream-Id. */
export const newUuid = (): string => randomUUID();

/** A version-4 UUID as base64 of its 16 bytes: the form of TaskStatus.uuid in JSON. */
export function newUuidBase64(): string {
  // randomUUID draws from a pooled entropy buffer: far cheaper than randomBytes(16) per status update.
  return Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64');
}

/** stout's UUID::fromBytes: exactly 16 bytes whose version nibble is 1-5. */
export function isValidUuidBase64(value: unknown): boolean {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) return false;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== 16) return false;
  const version = bytes[6]! >> 4;
  return version >= 1 && version <= 5;
}
