// Scratch A/B driver (not committed): Ziti-only program, transpile cache vs ts-node, new vs SDK wrapper.
import * as os from "os";
import { startZitiQuickstart } from "./scripts/lib/zitiQuickstart";
import { rest, snapshot, reset } from "./bench/lib/controller";
import { BenchProject } from "./bench/lib/pulumi";
const C = process.env.HOME + "/.cache/scrape-anywhere";
const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
(async () => {
    const reps = Number(process.argv[2] ?? 3);
    const variants = (process.argv[3] ?? "js:new,ts:old,js:old,ts:new").split(",");
    const ctl = await startZitiQuickstart({ waitForRouter: true });
    const r = await rest(ctl);
    const base = await snapshot(r);
    const out: Record<string, any[]> = {};
    try {
        for (let i = 0; i < reps; i++) for (const v of variants) {
            const [prog, wrap] = v.split(":");
            const tools = {
                PATH: `/tmp/perfscratch/wrapper-${wrap}:${C}/tools/pulumi-v3.248.0/bin:${C}/tools/ziti-v1.7.2/bin:${process.env.PATH}`,
                PULUMI_HOME: `${C}/pulumi-home`,
            };
            const p = new BenchProject(tools, "z", {}, ctl, {}, `/tmp/perfscratch/zonly-${prog}`);
            try {
                const load = os.loadavg()[0];
                const up = await p.run(["up", "--yes", "--skip-preview", "--non-interactive", "--color", "never"]);
                if (up.code !== 0) throw new Error(up.tail);
                const noop = await p.run(["up", "--yes", "--skip-preview", "--non-interactive", "--color", "never"]);
                (out[v] ??= []).push({ load, up, noop });
                console.error(`${v} rep ${i}: up ${(up.wallMs / 1000).toFixed(2)} noop ${(noop.wallMs / 1000).toFixed(2)} load ${load.toFixed(1)}`);
            } finally {
                p.dispose();
                await reset(r, base);
            }
        }
    } finally {
        await r.close();
        await ctl.stop();
    }
    for (const [v, rs] of Object.entries(out)) {
        const f = (g: (x: any) => number) => (med(rs.map(g)) / 1000).toFixed(2);
        console.log(`${v}: up ${f((x) => x.up.wallMs)} s, noop ${f((x) => x.noop.wallMs)} s | up: program seen ${f((x) => x.up.peaks.firstSeenMs.program)} provider seen ${f((x) => x.up.peaks.firstSeenMs.zitiProvider)} first req ${f((x) => x.up.requests.firstAt - x.up.startedAt)} last req ${f((x) => x.up.requests.lastAt - x.up.startedAt)} | CPU program ${f((x) => 1000 * x.up.peaks.cpuSec.program)} provider ${f((x) => 1000 * x.up.peaks.cpuSec.zitiProvider)} engine ${f((x) => 1000 * x.up.peaks.cpuSec.engine)} other ${f((x) => 1000 * x.up.peaks.cpuSec.other)} | noop CPU program ${f((x) => 1000 * x.noop.peaks.cpuSec.program)} provider ${f((x) => 1000 * x.noop.peaks.cpuSec.zitiProvider)} | reqs ${med(rs.map((x) => x.up.requests.total))} (read ${med(rs.map((x) => x.up.requests.read))}) | loads ${rs.map((x) => x.load.toFixed(1)).join(",")}`);
    }
})().catch((e) => { console.error(e); process.exit(1); });
