/**
 * What the application's hooks answer with. Framework commands are applied in place, in
 * the same frameworkUpdate() call and in order; timers and the application's own effects
 * (type E) come out as effects, `app` ones for the application's interpreter.
 */
import type { AckToken, FrameworkCommand, FrameworkEffect, LaunchRequest, Millis } from './types.js';

export type Reaction<E = never> = FrameworkCommand | Extract<FrameworkEffect<E>, { type: 'set-timer' | 'cancel-timer' | 'app' }>;

export const launch = (request: LaunchRequest): Reaction => ({ type: 'launch', request });

export const kill = (taskId: string, gracePeriodMs?: Millis): Reaction => ({ type: 'kill', taskId, ...(gracePeriodMs !== undefined ? { gracePeriodMs } : {}) });

export const forget = (taskId: string): Reaction => ({ type: 'forget', taskId });

export const acknowledge = (ack: AckToken): Reaction => ({ type: 'acknowledge', ack });

export const blacklist = (agents: Iterable<string>): Reaction => ({ type: 'blacklist', agents: [...agents] });

/** The application's timers: names must not start with "mesos.". */
export const setTimer = (name: string, at: Millis): Reaction => ({ type: 'set-timer', name, at });

export const cancelTimer = (name: string): Reaction => ({ type: 'cancel-timer', name });

/** One of the application's own effects, handed to its interpreter after the message is handled. */
export const effect = <E>(e: E): Reaction<E> => ({ type: 'app', effect: e });
