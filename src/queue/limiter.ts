/** BullMQ's limiter for `rate` jobs a second: whole jobs per window, the window stretched to fit (0.5: 1 job per 2 s). */
export function limiterFor(rate: number): { max: number; duration: number } {
  const max = Math.max(1, Math.ceil(rate));
  return { max, duration: Math.round((max / rate) * 1000) };
}
