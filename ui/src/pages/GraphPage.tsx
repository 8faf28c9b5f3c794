/**
 * /jobs/:name/graph: the job's ancestors and descendants as a pan/zoom DAG, left to right,
 * each job with its live state; the jobs a failure holds back are outlined, with the edges
 * that lead to them. Refetched when a job or run event concerns a job in it.
 */
import { Background, Controls, ReactFlow, type Edge } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { jobPath, useApi } from '../api/client';
import { useEvents } from '../api/events';
import type { GraphEdgeKind, GraphNodeState, JobGraph } from '../api/types';
import { GraphJobNode, type GraphJobNodeType } from '../components/GraphJobNode';
import { Page } from '../components/Page';
import { StatusBadge } from '../components/StatusBadge';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { useDebounced } from '../components/useDebounced';
import { useMediaQuery } from '../components/useMediaQuery';
import { edgeId, failedSubtree, layeredLayout } from '../lib/graph-layout';
import { plural } from '../lib/format';
import { GRAPH_STATE_LOOK } from '../lib/status';
import '../styles/graph.css';

const LAYER_GAP = { horizontal: 280, vertical: 130 };
const ROW_GAP = { horizontal: 104, vertical: 228 };
const NODE_TYPES = { job: GraphJobNode };
const EDGE_LABEL: Record<GraphEdgeKind, string | undefined> = { after: undefined, onSuccess: 'on success', onFailure: 'on failure' };
const STATES: GraphNodeState[] = ['ok', 'running', 'waiting', 'blocked-by-failure', 'failed'];

function buildFlow(graph: JobGraph, vertical: boolean) {
  const all = [graph.job, ...graph.ancestors, ...graph.descendants];
  const states = new Map(all.map((n) => [n.name, n.state]));
  const placed = layeredLayout([...states.keys()], graph.edges);
  const held = failedSubtree(states, graph.edges);
  const rowsPerLayer = new Map<number, number>();
  for (const p of placed.values()) rowsPerLayer.set(p.layer, Math.max(rowsPerLayer.get(p.layer) ?? 0, p.row + 1));
  const nodes: GraphJobNodeType[] = [...placed]
    // DOM order is Tab order: column by column, top to bottom.
    .sort(([, a], [, b]) => a.layer - b.layer || a.row - b.row)
    .map(([name, p]) => {
      const along = p.layer * LAYER_GAP[vertical ? 'vertical' : 'horizontal'];
      const across = (p.row - (rowsPerLayer.get(p.layer)! - 1) / 2) * ROW_GAP[vertical ? 'vertical' : 'horizontal'];
      return {
        id: name,
        type: 'job' as const,
        position: vertical ? { x: across, y: along } : { x: along, y: across },
        data: { name, state: states.get(name)!, current: name === graph.job.name, heldBy: held.causes.get(name) ?? [], vertical },
      };
    });
  const edges: Edge[] = graph.edges.map((e) => {
    const onPath = held.edges.has(edgeId(e));
    const kind = onPath ? 'held' : e.kind;
    return {
      id: edgeId(e),
      source: e.from,
      target: e.to,
      type: 'smoothstep',
      label: EDGE_LABEL[e.kind],
      className: `gedge gedge-${kind}`,
      markerEnd: `graph-arrow-${kind}`,
      ariaLabel: `${e.from} to ${e.to}${EDGE_LABEL[e.kind] ? `, ${EDGE_LABEL[e.kind]}` : ''}${onPath ? ', held back by a failure' : ''}`,
    };
  });
  return { nodes, edges, held, states };
}

/** Arrow heads in the edge colours; xyflow's own markers would put a CSS colour in an element id. */
function ArrowMarkers() {
  return (
    <svg className="graph-markers" aria-hidden="true" focusable="false">
      <defs>
        {['after', 'onSuccess', 'onFailure', 'held'].map((kind) => (
          <marker key={kind} id={`graph-arrow-${kind}`} viewBox="-10 -6 12 12" refX="0" refY="0" markerWidth="11" markerHeight="11" markerUnits="userSpaceOnUse" orient="auto-start-reverse">
            <path d="M-8,-4.5 L0,0 L-8,4.5 z" className={`graph-arrow graph-arrow-${kind}`} />
          </marker>
        ))}
      </defs>
    </svg>
  );
}

function Legend() {
  return (
    <div className="legend graph-legend" aria-label="Legend">
      {STATES.map((s) => (
        <StatusBadge key={s} look={GRAPH_STATE_LOOK[s]} />
      ))}
      <span>
        <span className="legend-line gedge-after" aria-hidden="true" /> runs after
      </span>
      <span>
        <span className="legend-line gedge-onSuccess" aria-hidden="true" /> started on success
      </span>
      <span>
        <span className="legend-line gedge-onFailure" aria-hidden="true" /> started on failure
      </span>
      <span>
        <span className="legend-box gnode-held" aria-hidden="true" /> held back by a failure
      </span>
    </div>
  );
}

function FailureSummary({ heldBy }: { heldBy: Map<string, string[]> }) {
  const byFailed = new Map<string, string[]>();
  for (const [job, failed] of heldBy) for (const f of failed) byFailed.set(f, [...(byFailed.get(f) ?? []), job]);
  if (byFailed.size === 0) return null;
  return (
    <div className="banner banner-error" role="status" data-testid="graph-failures">
      <div className="banner-body">
        {[...byFailed].map(([failed, jobs]) => (
          <p key={failed}>
            <strong>
              <Link to={`/jobs/${encodeURIComponent(failed)}`}>{failed}</Link> failed
            </strong>
            : {plural(jobs.length, 'job')} wait{jobs.length === 1 ? 's' : ''} on it ({jobs.sort().join(', ')}).
          </p>
        ))}
      </div>
    </div>
  );
}

function GraphTable({ graph, states, heldBy }: { graph: JobGraph; states: Map<string, GraphNodeState>; heldBy: Map<string, string[]> }) {
  const parents = (n: string) => graph.edges.filter((e) => e.to === n);
  const children = (n: string) => graph.edges.filter((e) => e.from === n);
  const describe = (e: JobGraph['edges'][number], other: string) => `${other}${EDGE_LABEL[e.kind] ? ` (${EDGE_LABEL[e.kind]})` : ''}`;
  return (
    <details className="card graph-list">
      <summary className="card-head">
        <h2>The graph as a table</h2>
      </summary>
      <div className="table-wrap">
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">State</th>
              <th scope="col">After</th>
              <th scope="col">Then</th>
            </tr>
          </thead>
          <tbody>
            {[...states.keys()].sort().map((n) => (
              <tr key={n}>
                <td>
                  <Link to={`/jobs/${encodeURIComponent(n)}`}>{n}</Link>
                  {n === graph.job.name && <span className="muted small"> (this job)</span>}
                </td>
                <td>
                  <StatusBadge look={GRAPH_STATE_LOOK[states.get(n)!]} detail={heldBy.has(n) ? `(waits on failed ${heldBy.get(n)!.join(', ')})` : undefined} />
                </td>
                <td>{parents(n).map((e) => describe(e, e.from)).join(', ') || '—'}</td>
                <td>{children(n).map((e) => describe(e, e.to)).join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

export function GraphPage() {
  const { name = '' } = useParams();
  const { data, error, loading, reload } = useApi<JobGraph>(`${jobPath(name)}/graph`);
  // A phone is taller than wide: the graph runs top to bottom there.
  const vertical = useMediaQuery('(max-width: 640px)');
  const flow = useMemo(() => (data ? buildFlow(data, vertical) : null), [data, vertical]);
  const refetch = useDebounced(reload, 300);
  useEvents(
    (event) => {
      const job = event.kind === 'run' ? event.run.job : event.job;
      // A job put elsewhere may have gained an edge into this graph.
      if (flow?.states.has(job) || (event.kind === 'job' && event.action === 'put')) refetch();
    },
    { onReset: reload },
  );
  // A new set of jobs is laid out and fitted afresh; a state change keeps the viewport.
  const shape = flow ? `${vertical}|${[...flow.states.keys()].sort().join(',')}|${flow.edges.map((e) => e.id).join(',')}` : '';

  return (
    <Page testId="page-graph" title={`Graph of ${name}`} wide>
      <div className="page-head">
        <div>
          <nav className="breadcrumb" aria-label="Breadcrumb">
            <Link to="/">Jobs</Link> <span aria-hidden="true">/</span> <Link to={`/jobs/${encodeURIComponent(name)}`}>{name}</Link> <span aria-hidden="true">/</span>
          </nav>
          <h1>Graph of {name}</h1>
          {data && (
            <p className="subtitle">
              {plural(data.ancestors.length, 'job')} upstream, {plural(data.descendants.length, 'job')} downstream. Click or press Enter on a job to open it; drag to pan, scroll or
              pinch to zoom.
            </p>
          )}
        </div>
      </div>
      {error && <ErrorState error={error} what={`the graph of ${name}`} onRetry={reload} />}
      {!data && loading && <Loading what="the graph" />}
      {data && flow && (
        <>
          <FailureSummary heldBy={flow.held.causes} />
          {flow.states.size === 1 && (
            <EmptyState title={`${name} has no dependencies`}>
              <p>No job runs after it or starts it, and it runs after none. Add `after:` or `triggers:` to a job to link them.</p>
            </EmptyState>
          )}
          <section className="card graph-card" aria-label={`Dependency graph of ${name}`}>
            <Legend />
            <ArrowMarkers />
            <div className="graph-canvas" data-testid="graph-canvas">
              <ReactFlow
                key={shape}
                nodes={flow.nodes}
                edges={flow.edges}
                nodeTypes={NODE_TYPES}
                colorMode="system"
                fitView
                fitViewOptions={{ padding: 0.15, maxZoom: 1.1 }}
                minZoom={0.15}
                maxZoom={2}
                nodesDraggable={false}
                nodesConnectable={false}
                nodesFocusable={false}
                edgesFocusable={false}
                elementsSelectable={false}
                proOptions={{ hideAttribution: true }}
              >
                <Background gap={20} size={1} />
                <Controls showInteractive={false} />
              </ReactFlow>
            </div>
          </section>
          <GraphTable graph={data} states={flow.states} heldBy={flow.held.causes} />
        </>
      )}
    </Page>
  );
}
