/**
 * One job in the graph: a link to the job (so Tab reaches it and Enter opens it) with its
 * state as a word, glyph and colour, and, when a failure holds it back, which job failed.
 */
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { Link } from 'react-router';
import type { GraphNodeState } from '../api/types';
import { GRAPH_STATE_LOOK } from '../lib/status';
import { StatusBadge } from './StatusBadge';

export type GraphJobNodeData = {
  name: string;
  state: GraphNodeState;
  /** The job whose graph this is. */
  current: boolean;
  /** Failed jobs upstream that hold this one back (empty when none do). */
  heldBy: string[];
  /** Laid out top to bottom (narrow screens) rather than left to right. */
  vertical: boolean;
};

export type GraphJobNodeType = Node<GraphJobNodeData, 'job'>;

export function GraphJobNode({ data }: NodeProps<GraphJobNodeType>) {
  const look = GRAPH_STATE_LOOK[data.state];
  const held = data.heldBy.length > 0;
  return (
    <div className={`gnode gnode-${data.state}${data.current ? ' gnode-current' : ''}${held ? ' gnode-held' : ''}`}>
      <Handle type="target" position={data.vertical ? Position.Top : Position.Left} isConnectable={false} className="gnode-handle" />
      <Link to={`/jobs/${encodeURIComponent(data.name)}`} className="gnode-link" title={data.name}>
        <span className="gnode-top">
          <span className="gnode-name">{data.name}</span>
          {data.current && <span className="gnode-here">this job</span>}
        </span>
        <span className="gnode-meta">
          <StatusBadge look={look} />
        </span>
        {held && <span className="gnode-held-note">waits on failed {data.heldBy.join(', ')}</span>}
      </Link>
      <Handle type="source" position={data.vertical ? Position.Bottom : Position.Right} isConnectable={false} className="gnode-handle" />
    </div>
  );
}
