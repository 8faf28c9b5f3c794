/**
 * The Mesos v1 scheduler API as JSON (stout's protobuf<->JSON mapping): snake_case proto
 * field names, enums as strings, IDs as {value}, bytes as standard base64. Only what a
 * framework and the in-repo sim use; unknown fields are tolerated on input.
 * See docs/mesos.md (#json for the encoding) for the behaviour behind each shape.
 */

export interface Id {
  value: string;
}
export type FrameworkID = Id;
export type AgentID = Id;
export type OfferID = Id;
export type TaskID = Id;
export type ExecutorID = Id;

export interface Scalar {
  value: number;
}
export interface Range {
  begin: number;
  end: number;
}

export interface Resource {
  name: string;
  type: 'SCALAR' | 'RANGES' | 'SET';
  scalar?: Scalar;
  ranges?: { range: Range[] };
  set?: { item: string[] };
  role?: string;
  allocation_info?: { role: string };
}

export interface Attribute {
  name: string;
  type: 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';
  scalar?: Scalar;
  ranges?: { range: Range[] };
  set?: { item: string[] };
  text?: { value: string };
}

export type FrameworkCapability =
  | 'MULTI_ROLE'
  | 'PARTITION_AWARE'
  | 'TASK_KILLING_STATE'
  | 'GPU_RESOURCES'
  | 'REVOCABLE_RESOURCES'
  | 'SHARED_RESOURCES'
  | 'RESERVATION_REFINEMENT'
  | 'REGION_AWARE';

export interface FrameworkInfo {
  user: string;
  name: string;
  id?: FrameworkID;
  failover_timeout?: number;
  checkpoint?: boolean;
  roles?: string[];
  role?: string;
  hostname?: string;
  principal?: string;
  webui_url?: string;
  capabilities?: { type: FrameworkCapability }[];
  labels?: { labels: { key: string; value?: string }[] };
}

export interface MasterInfo {
  id: string;
  ip: number;
  port: number;
  pid?: string;
  hostname?: string;
  version?: string;
  address?: { hostname?: string; ip?: string; port: number };
}

export interface Offer {
  id: OfferID;
  framework_id: FrameworkID;
  agent_id: AgentID;
  hostname: string;
  url?: { scheme: string; address: { hostname?: string; ip?: string; port: number }; path?: string };
  allocation_info?: { role: string };
  resources: Resource[];
  attributes?: Attribute[];
  executor_ids?: ExecutorID[];
}

export interface CommandInfo {
  shell?: boolean;
  value?: string;
  arguments?: string[];
  environment?: { variables: { name: string; type?: 'VALUE'; value: string }[] };
  user?: string;
}

export interface Parameter {
  key: string;
  value: string;
}

/** A container image for the Mesos containerizer (mesos.proto Image); `cached: false` pulls it every launch. */
export interface Image {
  type: 'APPC' | 'DOCKER';
  docker?: { name: string };
  appc?: { name: string };
  cached?: boolean;
}

/** A mount into the container (mesos.proto Volume): exactly one of host_path, image or source. */
export interface Volume {
  container_path: string;
  mode: 'RW' | 'RO';
  host_path?: string;
  image?: Image;
  source?: { type?: string } & Record<string, unknown>;
}

/** The Docker containerizer's settings (ContainerInfo.DockerInfo); `parameters` are extra `docker run` options. */
export interface DockerInfo {
  image: string;
  network?: 'HOST' | 'BRIDGE' | 'NONE' | 'USER';
  force_pull_image?: boolean;
  privileged?: boolean;
  parameters?: Parameter[];
}

export interface ContainerInfo {
  type: 'MESOS' | 'DOCKER';
  mesos?: { image?: Image };
  docker?: DockerInfo;
  volumes?: Volume[];
  hostname?: string;
  network_infos?: { name?: string }[];
}

export interface DurationInfo {
  nanoseconds: number;
}

export interface TaskInfo {
  name: string;
  task_id: TaskID;
  agent_id: AgentID;
  resources: Resource[];
  command?: CommandInfo;
  executor?: unknown;
  container?: ContainerInfo;
  kill_policy?: { grace_period: DurationInfo };
  labels?: { labels: { key: string; value?: string }[] };
}

export type TaskState =
  | 'TASK_STAGING'
  | 'TASK_STARTING'
  | 'TASK_RUNNING'
  | 'TASK_KILLING'
  | 'TASK_FINISHED'
  | 'TASK_FAILED'
  | 'TASK_KILLED'
  | 'TASK_ERROR'
  | 'TASK_LOST'
  | 'TASK_DROPPED'
  | 'TASK_UNREACHABLE'
  | 'TASK_GONE'
  | 'TASK_GONE_BY_OPERATOR'
  | 'TASK_UNKNOWN';

/** Terminal per mesos isTerminalState; UNREACHABLE and UNKNOWN are not. */
export const TERMINAL_TASK_STATES: ReadonlySet<TaskState> = new Set([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
]);

export type TaskSource = 'SOURCE_MASTER' | 'SOURCE_AGENT' | 'SOURCE_EXECUTOR';

export interface TaskStatus {
  task_id: TaskID;
  state: TaskState;
  message?: string;
  source?: TaskSource;
  reason?: string;
  data?: string;
  agent_id?: AgentID;
  executor_id?: ExecutorID;
  timestamp?: number;
  /** Base64 of 16 bytes; present only on reliable (agent/executor) updates. */
  uuid?: string;
  healthy?: boolean;
  unreachable_time?: { nanoseconds: number };
}

export interface Filters {
  refuse_seconds?: number;
}

export type OfferOperation =
  | { type: 'LAUNCH'; launch: { task_infos: TaskInfo[] } }
  | { type: 'LAUNCH_GROUP'; launch_group: { executor: unknown; task_group: { tasks: TaskInfo[] } } };

/**
 * The calls a framework sends. UNKNOWN is left out on purpose: a real 1.12 master aborts on
 * it (docs/mesos.md#unknown-call), so no code built on these types can send it.
 */
export type CallType =
  | 'SUBSCRIBE'
  | 'TEARDOWN'
  | 'ACCEPT'
  | 'DECLINE'
  | 'REVIVE'
  | 'SUPPRESS'
  | 'KILL'
  | 'SHUTDOWN'
  | 'ACKNOWLEDGE'
  | 'RECONCILE'
  | 'MESSAGE'
  | 'REQUEST'
  | 'UPDATE_FRAMEWORK';

export interface Call {
  type: CallType;
  framework_id?: FrameworkID;
  subscribe?: { framework_info: FrameworkInfo; suppressed_roles?: string[] };
  accept?: { offer_ids: OfferID[]; operations?: OfferOperation[]; filters?: Filters };
  decline?: { offer_ids: OfferID[]; filters?: Filters };
  revive?: { roles?: string[] };
  suppress?: { roles?: string[] };
  kill?: { task_id: TaskID; agent_id?: AgentID; kill_policy?: { grace_period: DurationInfo } };
  shutdown?: { executor_id: ExecutorID; agent_id: AgentID };
  acknowledge?: { agent_id: AgentID; task_id: TaskID; uuid: string };
  reconcile?: { tasks?: { task_id: TaskID; agent_id?: AgentID }[] };
  message?: { agent_id: AgentID; executor_id: ExecutorID; data: string };
  update_framework?: { framework_info: FrameworkInfo; suppressed_roles?: string[] };
}

export type Event =
  | { type: 'SUBSCRIBED'; subscribed: { framework_id: FrameworkID; heartbeat_interval_seconds?: number; master_info?: MasterInfo } }
  | { type: 'OFFERS'; offers: { offers?: Offer[] } }
  | { type: 'INVERSE_OFFERS'; inverse_offers: { inverse_offers?: unknown[] } }
  | { type: 'RESCIND'; rescind: { offer_id: OfferID } }
  | { type: 'RESCIND_INVERSE_OFFER'; rescind_inverse_offer: { inverse_offer_id: Id } }
  | { type: 'UPDATE'; update: { status: TaskStatus } }
  | { type: 'UPDATE_OPERATION_STATUS'; update_operation_status: { status: unknown } }
  | { type: 'MESSAGE'; message: { agent_id: AgentID; executor_id: ExecutorID; data: string } }
  | { type: 'FAILURE'; failure: { agent_id?: AgentID; executor_id?: ExecutorID; status?: number } }
  | { type: 'ERROR'; error: { message: string } }
  | { type: 'HEARTBEAT' };

export type EventType = Event['type'];

/** ERROR texts after which re-subscribing with the same framework id is pointless (docs/mesos.md#master-errors). */
export const FRAMEWORK_FAILED_OVER = 'Framework failed over';
export const FRAMEWORK_REMOVED = 'Framework has been removed';
