/** Least-squares line through the points: its slope is the cost of one more unit of x. */
export function fitLine(points: readonly { x: number; y: number }[]): { slope: number; intercept: number } {
  if (points.length < 2) throw new RangeError('fitLine: need at least two points');
  const n = points.length;
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / n;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / n;
  const spread = points.reduce((sum, point) => sum + (point.x - meanX) ** 2, 0);
  if (spread === 0) throw new RangeError('fitLine: every x is the same');
  const slope = points.reduce((sum, point) => sum + (point.x - meanX) * (point.y - meanY), 0) / spread;
  return { slope, intercept: meanY - slope * meanX };
}
