// The largest hole in a series around a cut, shared by the partition tests of tiers upstream and flavor.

/** The largest distance (s) between consecutive samples around [from, to] (unix s), edges included. */
export function largestGap(timestamps: number[], from: number, to: number): number {
    const ts = [...timestamps].sort((a, b) => a - b);
    const before = ts.filter(t => t <= from).pop();
    const after = ts.find(t => t >= to);
    const inside = ts.filter(t => t > from && t < to);
    const points = [before ?? -Infinity, ...inside, after ?? Infinity];
    let gap = 0;
    for (let i = 1; i < points.length; i++) gap = Math.max(gap, points[i] - points[i - 1]);
    return gap;
}
