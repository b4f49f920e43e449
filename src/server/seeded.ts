/** 32-bit FNV-1a: a cheap, well-spread hash to turn a request's identity into a PRNG seed. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a tiny PRNG with good enough statistics for delays and coin flips. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Uniform draws in [0, 1) that depend only on (seed, key, attempt), never on arrival order,
 * so that a run can be replayed and a retry (the next attempt) gets a fresh draw.
 */
export function seededDraws(seed: number, key: string, attempt: number): () => number {
  return mulberry32(fnv1a(`${seed}\u0000${key}\u0000${attempt}`));
}
