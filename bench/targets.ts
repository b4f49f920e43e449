/** A performance target of issue 3 with the figure measured for it. */
export interface TargetResult {
  scenario: string;
  target: string;
  /** e.g. `0.58 s against wget2's 0.31 s`. */
  measured: string;
  /**
   * measured / reference, at most `limit`; for a speedup (`atLeast`) reference / measured, at
   * least `limit`. null when it could not be measured.
   */
  ratio: number | null;
  limit: number;
  atLeast?: true;
  /** PASS, MISS, or SKIP with the reason. */
  verdict: string;
}

interface Figure {
  label: string;
  value: number | null;
}

/**
 * A target of the form "at most `limit` × the reference". The verdict says by how much it is
 * missed (how far over the limit) or met (how much room is left), so a near miss reads as one.
 */
export function ratioTarget(scenario: string, target: string, limit: number, subject: Figure, reference: Figure, unit: (value: number) => string): TargetResult {
  if (subject.value === null || reference.value === null) return missingFigure(scenario, target, limit, subject, reference);
  const ratio = subject.value / reference.value;
  const measured = `${subject.label} ${unit(subject.value)} vs ${reference.label} ${unit(reference.value)}: ${ratio.toFixed(2)}×`;
  const off = Math.abs(ratio / limit - 1) * 100;
  const verdict = ratio <= limit ? `PASS (${off.toFixed(0)}% under the limit)` : `MISS (${off.toFixed(0)}% over the limit)`;
  return { scenario, target, measured, ratio, limit, verdict };
}

/**
 * A target of the form "at least `minimum` × faster than the reference": the reference's time
 * over the subject's must reach `minimum`. The verdict says by how much, as ratioTarget's does.
 */
export function speedupTarget(scenario: string, target: string, minimum: number, subject: Figure, reference: Figure, unit: (value: number) => string): TargetResult {
  if (subject.value === null || reference.value === null) return { ...missingFigure(scenario, target, minimum, subject, reference), atLeast: true };
  const ratio = reference.value / subject.value;
  const measured = `${subject.label} ${unit(subject.value)} vs ${reference.label} ${unit(reference.value)}: speed-up ${ratio.toFixed(2)}×`;
  const off = Math.abs(ratio / minimum - 1) * 100;
  const verdict = ratio >= minimum ? `PASS (${off.toFixed(0)}% over the minimum)` : `MISS (${off.toFixed(0)}% short of the minimum)`;
  return { scenario, target, measured, ratio, limit: minimum, atLeast: true, verdict };
}

function missingFigure(scenario: string, target: string, limit: number, subject: Figure, reference: Figure): TargetResult {
  const missing = subject.value === null ? subject.label : reference.label;
  return { scenario, target, measured: '—', ratio: null, limit, verdict: `SKIP: no figure for ${missing}` };
}

export function skippedTarget(scenario: string, target: string, limit: number, why: string): TargetResult {
  return { scenario, target, measured: '—', ratio: null, limit, verdict: `SKIP: ${why}` };
}

/** A target of the form "at most `ceiling`" for an absolute figure (a peak memory), met or missed by how much as ratioTarget's. */
export function ceilingTarget(scenario: string, target: string, ceiling: number, subject: Figure, unit: (value: number) => string): TargetResult {
  if (subject.value === null) return missingFigure(scenario, target, 1, subject, { label: 'the ceiling', value: ceiling });
  const ratio = subject.value / ceiling;
  const measured = `${subject.label} ${unit(subject.value)} against ${unit(ceiling)}: ${ratio.toFixed(2)}×`;
  const off = Math.abs(ratio - 1) * 100;
  const verdict = ratio <= 1 ? `PASS (${off.toFixed(0)}% under the limit)` : `MISS (${off.toFixed(0)}% over the limit)`;
  return { scenario, target, measured, ratio, limit: 1, verdict };
}
