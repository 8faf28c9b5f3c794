/** The wiring: the policy's hooks, run by the library's one runner. Nothing else. */
import { FrameworkRunner } from '../../src/mesos/framework/index.js';
import { EveryAgentPolicy, isOurTask, type AgentMessage, type Say } from './policy.js';

export type EveryAgentFramework = FrameworkRunner<AgentMessage, Say>;

export function startEveryAgentFramework(masters: string, command: string): EveryAgentFramework {
  return new FrameworkRunner<AgentMessage, Say>({
    masters,
    config: {
      user: 'nobody',
      name: 'every-agent-example',
      roles: ['*'],
      // The id lives only in this process: once it is gone, let the master kill its tasks soon.
      failoverTimeoutSeconds: 60,
      isOurs: isOurTask,
      ...new EveryAgentPolicy(command).hooks,
    },
    // A real framework stores the id durably here (moroccron: in its store) and passes it back in `restored`.
    persistFrameworkId: async () => {},
    interpret: (say) => console.log(say.text),
    log: ({ level, message, fields }) => {
      if (level !== 'debug') console.log(`${level}: ${message}`, fields ?? '');
    },
  });
}
