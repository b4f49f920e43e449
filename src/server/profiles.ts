/** The embedded server's profiles, each a set of defaults for its knobs. */
export type ServerProfile = 'local' | 'delay' | 'error';

/** What a profile sets; explicit knobs override each of them. */
export interface ProfileDefaults {
  latencyMs: number;
  jitterMs: number;
  errorRate: number;
}

/**
 * `delay` spreads answers uniformly over 100-500 ms, slow enough for concurrency to pay off
 * visibly; `error` adds faults on top so that retries and error reporting get exercised.
 */
export const profileDefaults: Record<ServerProfile, ProfileDefaults> = {
  local: { latencyMs: 0, jitterMs: 0, errorRate: 0 },
  delay: { latencyMs: 300, jitterMs: 200, errorRate: 0 },
  error: { latencyMs: 300, jitterMs: 200, errorRate: 0.2 },
};

export const serverProfiles = Object.keys(profileDefaults) as ServerProfile[];
