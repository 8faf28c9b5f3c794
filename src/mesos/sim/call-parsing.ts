/**
 * JSON -> Call the way stout's protobuf parser does it: unknown keys ignored, a missing
 * proto `required` field or a wrong JSON kind is a parse error (400).
 */
import type { Call } from '../types.js';

interface Shape {
  required?: string[];
  fields?: Record<string, Shape | [Shape]>;
  /** Required enum fields and their legal values: an unknown name is a parse error. */
  enums?: Record<string, readonly string[]>;
}

const ID: Shape = { required: ['value'] };
const RESOURCE: Shape = { required: ['name', 'type'], enums: { type: ['SCALAR', 'RANGES', 'SET', 'TEXT'] } };
const COMMAND: Shape = { fields: { environment: { fields: { variables: [{ required: ['name'] }] } } } };
const IMAGE: Shape = { required: ['type'], enums: { type: ['APPC', 'DOCKER'] }, fields: { docker: { required: ['name'] }, appc: { required: ['name'] } } };
/** mesos.proto ContainerInfo: its type, a volume's mode and container_path, DockerInfo.image and a Parameter's key and value are `required`. */
const CONTAINER: Shape = {
  required: ['type'],
  enums: { type: ['DOCKER', 'MESOS'] },
  fields: {
    volumes: [{ required: ['mode', 'container_path'], enums: { mode: ['RW', 'RO'] }, fields: { image: IMAGE } }],
    docker: { required: ['image'], fields: { parameters: [{ required: ['key', 'value'] }] } },
    mesos: { fields: { image: IMAGE } },
  },
};
const EXECUTOR: Shape = { required: ['executor_id'], fields: { executor_id: ID, framework_id: ID, resources: [RESOURCE], command: COMMAND, container: CONTAINER } };
const TASK: Shape = {
  required: ['name', 'task_id', 'agent_id'],
  fields: { task_id: ID, agent_id: ID, resources: [RESOURCE], command: COMMAND, executor: EXECUTOR, container: CONTAINER },
};
const FRAMEWORK_INFO: Shape = { required: ['user', 'name'], fields: { id: ID } };
const OPERATION: Shape = {
  fields: {
    id: ID,
    launch: { fields: { task_infos: [TASK] } },
    launch_group: { required: ['executor', 'task_group'], fields: { executor: EXECUTOR, task_group: { fields: { tasks: [TASK] } } } },
  },
};

const CALL: Shape = {
  fields: {
    framework_id: ID,
    subscribe: { required: ['framework_info'], fields: { framework_info: FRAMEWORK_INFO } },
    update_framework: { required: ['framework_info'], fields: { framework_info: FRAMEWORK_INFO } },
    accept: { fields: { offer_ids: [ID], operations: [OPERATION] } },
    decline: { fields: { offer_ids: [ID] } },
    accept_inverse_offers: { fields: { inverse_offer_ids: [ID] } },
    decline_inverse_offers: { fields: { inverse_offer_ids: [ID] } },
    kill: { required: ['task_id'], fields: { task_id: ID, agent_id: ID } },
    shutdown: { required: ['executor_id', 'agent_id'], fields: { executor_id: ID, agent_id: ID } },
    acknowledge: { required: ['agent_id', 'task_id', 'uuid'], fields: { agent_id: ID, task_id: ID } },
    acknowledge_operation_status: { required: ['uuid', 'operation_id'], fields: { agent_id: ID, operation_id: ID } },
    reconcile: { fields: { tasks: [{ required: ['task_id'], fields: { task_id: ID, agent_id: ID } }] } },
    reconcile_operations: { fields: { operations: [{ required: ['operation_id'], fields: { operation_id: ID, agent_id: ID } }] } },
    message: { required: ['agent_id', 'executor_id', 'data'], fields: { agent_id: ID, executor_id: ID } },
  },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function check(value: Record<string, unknown>, shape: Shape, path: string, missing: string[]): string | undefined {
  for (const name of shape.required ?? []) if (value[name] === undefined || value[name] === null) missing.push(path + name);
  for (const [name, legal] of Object.entries(shape.enums ?? {})) {
    const v = value[name];
    if (v !== undefined && !legal.includes(String(v))) return `Failed to find enum for '${String(v)}'`;
  }
  for (const [name, sub] of Object.entries(shape.fields ?? {})) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    if (Array.isArray(sub)) {
      if (!Array.isArray(v)) return `Not expecting a JSON ${typeof v} for field '${name}'`;
      for (const [i, item] of v.entries()) {
        if (!isObject(item)) return `Not expecting a JSON ${Array.isArray(item) ? 'array' : typeof item} for field '${name}'`;
        const err = check(item, sub[0], `${path}${name}[${i}].`, missing);
        if (err) return err;
      }
    } else {
      if (!isObject(v)) return `Not expecting a JSON ${Array.isArray(v) ? 'array' : typeof v} for field '${name}'`;
      const err = check(v, sub, `${path}${name}.`, missing);
      if (err) return err;
    }
  }
  return undefined;
}

export type ParsedCall = { ok: true; call: Call & Record<string, unknown> } | { ok: false; message: string };

export function parseCall(body: Buffer): ParsedCall {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    return { ok: false, message: `Failed to parse body into JSON: ${(err as Error).message}` };
  }
  if (!isObject(json)) return { ok: false, message: 'Failed to convert JSON into Call protobuf: Expecting a JSON object' };
  const missing: string[] = [];
  const err = check(json, CALL, '', missing);
  if (err) return { ok: false, message: `Failed to convert JSON into Call protobuf: ${err}` };
  if (missing.length > 0) return { ok: false, message: `Failed to convert JSON into Call protobuf: Missing required fields: ${missing.join(', ')}` };
  return { ok: true, call: json as Call & Record<string, unknown> };
}
