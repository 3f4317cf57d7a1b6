// Waiting on a real system (a controller, a tunnel, Prometheus) by polling, for the tiers that run one.

/** Polls `probe` until `done(value)` or the deadline; fails with what it saw last. */
export async function pollUntil<T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number, everyMs = 1000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T | undefined;
    let lastErr: unknown;
    for (;;) {
        try {
            last = await probe();
            lastErr = undefined;
            if (done(last)) return last;
        } catch (e) {
            lastErr = e;
        }
        if (Date.now() > deadline) {
            const seen = lastErr ? `error: ${(lastErr as Error).message}` : `last value: ${JSON.stringify(last)}`;
            throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what} (${seen})`);
        }
        await new Promise((r) => setTimeout(r, everyMs));
    }
}
