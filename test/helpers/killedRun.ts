// A run whose owner is SIGKILLed: a separate Node process runs `script` (which prints one JSON line when its run is
// up and then stays alive like a test would), and is killed as soon as that line arrives. Its detached children
// survive it, which is what the reaper tests need.
import { spawn } from "child_process";

export async function startThenKill<T>(script: string, cwd: string): Promise<T> {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", `${script};setInterval(() => undefined, 1000);`],
        { cwd, stdio: ["ignore", "pipe", "inherit"] });
    const run = await new Promise<T>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
            out += d;
            const line = out.split("\n").find((l) => l.startsWith("{"));
            if (line) resolve(JSON.parse(line));
        });
        child.once("exit", (code) => reject(new Error(`the child exited (${code}) before its run was ready`)));
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    return run;
}
