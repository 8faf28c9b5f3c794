/** Dispatch of v1 scheduler events. */
import type { Event } from '../types.js';
import { onOffers } from './answer-offers.js';
import { log, type Ctx } from './context.js';
import { onUpdate } from './status.js';
import { onMasterError, onSubscribed } from './subscription.js';

export function onEvent(ctx: Ctx, event: Event): void {
  if (event.type === 'SUBSCRIBED') {
    onSubscribed(ctx, event.subscribed.framework_id.value);
    return;
  }
  // Events still queued from a closed stream: offers are void, and an ACK could not be sent.
  if (!ctx.s.connected) {
    log(ctx, 'debug', 'event ignored while disconnected', { event: event.type });
    return;
  }
  switch (event.type) {
    case 'OFFERS':
      onOffers(ctx, event.offers.offers ?? []);
      break;
    case 'UPDATE':
      onUpdate(ctx, event.update.status);
      break;
    case 'RESCIND':
      // Offers are answered as they arrive; a launch racing the rescind comes back as
      // TASK_DROPPED/REASON_INVALID_OFFERS and reaches the application as terminal.
      log(ctx, 'debug', 'offer rescinded', { offerId: event.rescind.offer_id.value });
      break;
    case 'HEARTBEAT':
      break;
    case 'ERROR':
      onMasterError(ctx, event.error.message, false);
      break;
    case 'FAILURE':
      log(ctx, 'warn', 'agent or executor failure', {
        agentId: event.failure.agent_id?.value,
        executorId: event.failure.executor_id?.value,
        status: event.failure.status,
      });
      break;
    case 'MESSAGE':
    case 'INVERSE_OFFERS':
    case 'RESCIND_INVERSE_OFFER':
    case 'UPDATE_OPERATION_STATUS':
      log(ctx, 'debug', 'event not handled', { event: event.type });
      break;
  }
}
