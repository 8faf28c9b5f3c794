/**
 * /cluster: who leads (members, epoch, store, backend, framework ID), the agents with what
 * they offer and what runs hold, a blacklist toggle per agent, and the dispatch-skew
 * histogram read from /metrics. Polled (these change without events), agents also on runs.
 */
import { useState, type FormEvent } from 'react';
import { ApiError, apiRequest, useApi } from '../api/client';
import { useEvents } from '../api/events';
import type { Agent, BlacklistEntry, ClusterView } from '../api/types';
import { Page } from '../components/Page';
import { ResourceMeter } from '../components/ResourceMeter';
import { SkewHistogram } from '../components/SkewHistogram';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { Time } from '../components/Time';
import { useDebounced } from '../components/useDebounced';
import { usePolling } from '../components/usePolling';
import { parseHistogram } from '../lib/prometheus';
import '../styles/cluster.css';

const SKEW_METRIC = 'moroccron_run_start_skew_seconds';

function ClusterFacts({ cluster }: { cluster: ClusterView }) {
  const leaderIsSelf = cluster.leader?.id === cluster.self.id;
  return (
    <section className="card" aria-labelledby="cluster-title">
      <div className="card-head">
        <h2 id="cluster-title">Scheduler</h2>
        <span className={`status ${cluster.leader ? 'c-ok' : 'c-fail'}`}>
          <span className="status-glyph" aria-hidden="true">
            {cluster.leader ? '✓' : '✕'}
          </span>
          {cluster.leader ? 'has a leader' : 'no leader'}
        </span>
      </div>
      <div className="card-body">
        <dl className="facts" data-testid="cluster-facts">
          <dt>Leader</dt>
          <dd>
            {cluster.leader ? (
              <span className="cluster-line">
                <span className="mono">{cluster.leader.id}</span> <span className="muted">{cluster.leader.url}</span>
                {leaderIsSelf && <span className="tag cluster-you">this member</span>}
              </span>
            ) : (
              <span className="c-fail-text">none: an election is under way, or the store does not answer</span>
            )}
          </dd>
          <dt>This member</dt>
          <dd>
            <span className="mono">{cluster.self.id}</span> ({cluster.isLeader ? 'leader' : 'standby: it serves reads and sends writes to the leader'})
          </dd>
          <dt>Epoch</dt>
          <dd title="The number of the current term of leadership; every write carries it">{cluster.epoch ?? '—'}</dd>
          <dt>Store</dt>
          <dd className="mono">{cluster.store}</dd>
          <dt>Backend</dt>
          <dd>{cluster.backend === 'mesos' ? 'Apache Mesos' : 'local (runs on this host)'}</dd>
          {cluster.isolation && (
            <>
              <dt>Isolation</dt>
              <dd>
                {cluster.isolation.mode === 'none' ? (
                  <span className="c-fail-text">none: resources are only counted ({cluster.isolation.why})</span>
                ) : (
                  `each run in its own cgroups (${cluster.isolation.mode === 'cgroups-v2' ? 'v2' : 'v1'}): memory, CPU and processes limited`
                )}
              </dd>
              {cluster.isolation.containers && (
                <>
                  <dt>Containers</dt>
                  <dd>
                    {cluster.isolation.containers.runtime === null ? (
                      <span className="muted">none: jobs with an image are refused ({cluster.isolation.containers.why})</span>
                    ) : (
                      <>
                        <span className="mono">
                          {cluster.isolation.containers.runtime} {cluster.isolation.containers.version}
                        </span>{' '}
                        runs jobs&apos; images
                      </>
                    )}
                  </dd>
                </>
              )}
            </>
          )}
          <dt>Framework ID</dt>
          <dd className="mono">{cluster.frameworkId ?? <span className="muted">{cluster.backend === 'mesos' ? 'not registered yet' : 'none (local backend)'}</span>}</dd>
          <dt>Members</dt>
          <dd>
            <ul className="members">
              {cluster.members.map((m) => (
                <li key={m.id} className="cluster-line">
                  <span className="mono">{m.id}</span> <span className="muted">{m.url}</span>
                  {m.id === cluster.leader?.id && <span className="tag">leader</span>}
                  {m.id === cluster.self.id && <span className="tag cluster-you">this member</span>}
                </li>
              ))}
            </ul>
          </dd>
        </dl>
      </div>
    </section>
  );
}

interface AgentCardProps {
  agent: Agent;
  showGpus: boolean;
  busy: boolean;
  onBlacklist: (id: string, reason: string) => void;
  onLift: (id: string) => void;
}

function AgentCard({ agent, showGpus, busy, onBlacklist, onLift }: AgentCardProps) {
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onBlacklist(agent.id, reason.trim());
    setAsking(false);
    setReason('');
  };
  const attributes = Object.entries(agent.attributes);
  return (
    <li className={`agent${agent.blacklisted ? ' agent-blacklisted' : ''}`} data-testid="agent" data-agent={agent.id}>
      <div className="agent-head">
        <div className="agent-id">
          <h3 className="mono">{agent.id}</h3>
          <span className={`status ${agent.blacklisted ? 'c-fail' : 'c-ok'}`}>
            <span className="status-glyph" aria-hidden="true">
              {agent.blacklisted ? '⊘' : '✓'}
            </span>
            {agent.blacklisted ? 'blacklisted' : 'accepting runs'}
          </span>
        </div>
        <div className="actions">
          {agent.blacklisted ? (
            <button type="button" className="btn btn-small" onClick={() => onLift(agent.id)} disabled={busy}>
              {busy ? 'Working…' : 'Lift blacklist'}
            </button>
          ) : (
            !asking && (
              <button type="button" className="btn btn-small btn-danger" onClick={() => setAsking(true)} disabled={busy} aria-expanded={asking}>
                {busy ? 'Working…' : 'Blacklist…'}
              </button>
            )
          )}
        </div>
      </div>
      {agent.blacklist && (
        <p className="agent-reason small">
          Since <Time iso={agent.blacklist.since} seconds={false} />: {agent.blacklist.reason}
        </p>
      )}
      {asking && (
        <form className="agent-form" onSubmit={submit}>
          <label className="field">
            Reason (optional, shown to other operators)
            <input type="text" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} autoFocus placeholder="e.g. disk failing, drained for maintenance" />
          </label>
          <div className="actions">
            <button type="submit" className="btn btn-small btn-danger-solid">
              Blacklist {agent.id}
            </button>
            <button type="button" className="btn btn-small" onClick={() => setAsking(false)}>
              Cancel
            </button>
          </div>
          <p className="small muted">No new runs are placed on it; runs already there go on. Lifting it places what waited.</p>
        </form>
      )}
      <div className="agent-resources">
        <div>
          <span className="agent-label">CPUs</span>
          <ResourceMeter used={agent.used.cpus} total={agent.resources.cpus} unit="cpus" />
        </div>
        <div>
          <span className="agent-label">Memory</span>
          <ResourceMeter used={agent.used.mem} total={agent.resources.mem} unit="MiB" mib />
        </div>
        <div>
          <span className="agent-label">Disk</span>
          <ResourceMeter used={agent.used.disk} total={agent.resources.disk} unit="MiB" mib />
        </div>
        {showGpus && (
          <div>
            <span className="agent-label">GPUs</span>
            <ResourceMeter used={agent.used.gpus} total={agent.resources.gpus} unit="gpus" />
          </div>
        )}
      </div>
      {agent.isolation?.mode === 'mesos' && (
        <p className="small muted agent-isolation">
          Isolators <span className="mono">{agent.isolation.isolators?.join(', ') || 'none'}</span>; containerizers{' '}
          <span className="mono">{agent.isolation.containerizers?.join(', ') || 'none'}</span>
        </p>
      )}
      {attributes.length > 0 && (
        <div className="tags agent-attributes" aria-label="Attributes">
          {attributes.map(([k, v]) => (
            <span key={k} className="tag mono">
              {k}={v}
            </span>
          ))}
        </div>
      )}
    </li>
  );
}

function Agents() {
  const { data, error, loading, reload } = useApi<{ agents: Agent[] }>('/api/v1/agents');
  const [busy, setBusy] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  usePolling(reload, 10_000);
  const refetch = useDebounced(reload, 1_000);
  useEvents((event) => event.kind === 'run' && refetch(), { onReset: reload });

  const change = async (id: string, method: 'PUT' | 'DELETE', reason?: string) => {
    setBusy(id);
    setOutcome(null);
    try {
      await apiRequest<{ blacklist: BlacklistEntry[] }>(method, `/api/v1/agents/${encodeURIComponent(id)}/blacklist`, method === 'PUT' ? (reason ? { reason } : {}) : undefined);
      setOutcome({ ok: true, text: method === 'PUT' ? `${id} is blacklisted: no new runs go there.` : `${id} takes runs again.` });
      reload();
    } catch (e) {
      const text = e instanceof ApiError ? `${e.message}${e.status ? ` (HTTP ${e.status})` : ''}` : String(e);
      setOutcome({ ok: false, text: `Could not ${method === 'PUT' ? 'blacklist' : 'lift the blacklist of'} ${id}: ${text}` });
    } finally {
      setBusy(null);
    }
  };

  const agents = data?.agents ?? [];
  const showGpus = agents.some((a) => a.resources.gpus > 0);
  return (
    <section className="card" aria-labelledby="agents-title">
      <div className="card-head">
        <h2 id="agents-title">Agents</h2>
        {data && <span className="hint">{agents.length === 1 ? '1 agent' : `${agents.length} agents`}, {agents.filter((a) => a.blacklisted).length} blacklisted</span>}
      </div>
      <div className="card-body">
        <div role="status" aria-live="polite" data-testid="agent-outcome">
          {outcome && (
            <div className={`banner ${outcome.ok ? 'banner-ok' : 'banner-error'}`}>
              <div className="banner-body">
                <p>{outcome.text}</p>
              </div>
              <button type="button" className="btn btn-small btn-quiet" onClick={() => setOutcome(null)} aria-label="Dismiss">
                ✕
              </button>
            </div>
          )}
        </div>
        {error && <ErrorState error={error} what="the agents" onRetry={reload} />}
        {!data && loading && <Loading what="the agents" />}
        {data && agents.length === 0 && (
          <EmptyState title="No agents yet">
            <p>On Mesos, agents appear once the master offers their resources.</p>
          </EmptyState>
        )}
        <ul className="agent-list">
          {agents.map((a) => (
            <AgentCard key={a.id} agent={a} showGpus={showGpus} busy={busy === a.id} onBlacklist={(id, r) => void change(id, 'PUT', r)} onLift={(id) => void change(id, 'DELETE')} />
          ))}
        </ul>
      </div>
    </section>
  );
}

function Skew() {
  const { data, error, loading, reload } = useApi<string>('/metrics');
  usePolling(reload, 15_000);
  const histogram = typeof data === 'string' ? parseHistogram(data, SKEW_METRIC) : null;
  return (
    <section className="card" aria-labelledby="skew-title">
      <div className="card-head">
        <h2 id="skew-title">Dispatch skew</h2>
        <span className="hint">How late runs started after their scheduled time, as this member has seen since it started</span>
      </div>
      <div className="card-body">
        {error && <ErrorState error={error} what="the metrics" onRetry={reload} />}
        {!data && loading && <Loading what="the metrics" />}
        {data !== null && !histogram && <p className="muted">This member's /metrics has no {SKEW_METRIC} histogram.</p>}
        {histogram && histogram.count === 0 && <p className="muted">No run has started since this member started leading.</p>}
        {histogram && histogram.count > 0 && <SkewHistogram histogram={histogram} />}
      </div>
    </section>
  );
}

export function ClusterPage() {
  const { data, error, loading, reload } = useApi<ClusterView>('/api/v1/cluster');
  usePolling(reload, 10_000);
  return (
    <Page testId="page-cluster" title="Cluster" wide>
      <div className="page-head">
        <div>
          <h1>Cluster</h1>
          <p className="subtitle">Who leads, where runs go, and how punctually they start.</p>
        </div>
      </div>
      {error && <ErrorState error={error} what="the cluster" onRetry={reload} />}
      {!data && loading && <Loading what="the cluster" />}
      <div className="grid-2">
        <div className="stack">
          {data && <ClusterFacts cluster={data} />}
          <Agents />
        </div>
        <Skew />
      </div>
    </Page>
  );
}
