import type { ServerOptions } from './options.js';
import { seededDraws } from './seeded.js';

/** The ways an answer can be spoiled on purpose. */
export type Fault = 'status-500' | 'status-503' | 'drop' | 'truncate';

export interface AnswerPlan {
  delayMs: number;
  fault: Fault | null;
}

type Knobs = Pick<ServerOptions, 'latencyMs' | 'jitterMs' | 'errorRate' | 'seed'>;

/**
 * How to answer the `attempt`-th request for `key`. The delay is drawn before the fault,
 * and both are always drawn, so that changing the error rate leaves every delay as it was.
 */
export function planAnswer(knobs: Knobs, key: string, attempt: number, faultable: boolean): AnswerPlan {
  const draw = seededDraws(knobs.seed, key, attempt);
  const delayMs = Math.max(0, Math.round(knobs.latencyMs + (2 * draw() - 1) * knobs.jitterMs));
  const faulty = draw() < knobs.errorRate;
  const kind = draw();
  const status = draw();
  if (!faultable || !faulty) return { delayMs, fault: null };
  if (kind < 1 / 3) return { delayMs, fault: status < 0.5 ? 'status-500' : 'status-503' };
  return { delayMs, fault: kind < 2 / 3 ? 'drop' : 'truncate' };
}
