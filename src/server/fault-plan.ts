import { MAX_DURATION_MS } from '../options/checks.js';
import type { ServerOptions } from './server-options.js';
import { seededDraws } from './seeded.js';

/** The ways an answer can be spoiled on purpose. */
export type Fault = 'status-500' | 'status-503' | 'status-429' | 'drop' | 'truncate' | 'stall';

/**
 * How often each fault is drawn, relative to the others. A stall costs its client a whole
 * timeout while every other fault fails at once, so at an equal share stalls would set the
 * length of every faulty run; at 1 in 12 they still come up in a run of a few hundred flags.
 */
const faultWeights: Readonly<Record<Fault, number>> = {
  'status-500': 11,
  'status-503': 11,
  'status-429': 11,
  drop: 11,
  truncate: 11,
  stall: 5,
};

const totalWeight = Object.values(faultWeights).reduce((sum, weight) => sum + weight, 0);

export interface AnswerPlan {
  delayMs: number;
  fault: Fault | null;
}

type Knobs = Pick<ServerOptions, 'latencyMs' | 'jitterMs' | 'errorRate' | 'seed'>;

/**
 * How to answer the `attempt`-th request for `key`. The delay is drawn before the fault,
 * and both are always drawn, so that changing the error rate or the mix of faults leaves every
 * delay as it was.
 */
export function planAnswer(knobs: Knobs, key: string, attempt: number, faultable: boolean): AnswerPlan {
  const draw = seededDraws(knobs.seed, key, attempt);
  // Each knob is a valid duration, their sum may not be: a longer timer would fire at once.
  const delayMs = Math.min(MAX_DURATION_MS, Math.max(0, Math.round(knobs.latencyMs + (2 * draw() - 1) * knobs.jitterMs)));
  const faulty = draw() < knobs.errorRate;
  const kind = draw();
  if (!faultable || !faulty) return { delayMs, fault: null };
  return { delayMs, fault: pickFault(kind) };
}

/** The fault whose share of [0, 1) holds `kind`. */
function pickFault(kind: number): Fault {
  let below = kind * totalWeight;
  for (const [fault, weight] of Object.entries(faultWeights) as [Fault, number][]) {
    if (below < weight) return fault;
    below -= weight;
  }
  return 'stall'; // not reached, as kind < 1, but the type checker cannot know that
}
