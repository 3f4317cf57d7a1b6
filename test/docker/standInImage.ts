// The stand-in for the zitified Prometheus image: no registry is reachable, so the docker tier imports a
// small rootfs under the configured image name (`docker import`). It is Debian's statically linked
// busybox (package busybox-static) with the image facts the container relies on, from the image's
// source (openziti-test-kitchen/prometheus ziti.Dockerfile, as flavors/article records them):
// ENTRYPOINT /bin/prometheus, USER nobody (65534:65534, quay.io/prometheus/busybox's passwd), and
// VOLUME /prometheus owned by nobody. Its /bin/prometheus only waits to be stopped: the tier checks
// what the engine was told to run, not Prometheus.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Dockerd } from "../../scripts/lib/dockerd";

const BUSYBOX = "/bin/busybox";
const NOBODY = 65534;

/** A shell script as PID 1 that exits on SIGTERM (a plain `sleep` as PID 1 would ignore it). */
const ENTRYPOINT_SCRIPT = [
    "#!/bin/sh",
    "# scrape-anywhere test stand-in for /bin/prometheus: waits until stopped.",
    "trap 'exit 0' TERM INT",
    "/bin/busybox sleep 2147483647 &",
    "wait",
    "",
].join("\n");

function tarOf(dir: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        execFile("tar", ["-C", dir, "--numeric-owner", "-cf", "-", "."], { encoding: "buffer", maxBuffer: 64 * 1024 * 1024 },
            (err, stdout, stderr) => (err ? reject(new Error(`tar failed: ${stderr.toString()}`)) : resolve(stdout)));
    });
}

/** Imports the stand-in as `ref` into `engine`; resolves to its image id. */
export async function importStandInImage(engine: Dockerd, ref: string): Promise<string> {
    if (!fs.existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} not found: install busybox-static with \`bash scripts/ensure-docker-deps.sh\``);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "sa-standin-"));
    try {
        for (const d of ["bin", "etc", "prometheus", "tmp"]) fs.mkdirSync(path.join(root, d));
        fs.copyFileSync(BUSYBOX, path.join(root, "bin", "busybox"));
        fs.chmodSync(path.join(root, "bin", "busybox"), 0o755);
        // The applets the tier execs in the container.
        for (const a of ["sh", "sleep", "stat", "cat", "id"]) fs.symlinkSync("busybox", path.join(root, "bin", a));
        fs.writeFileSync(path.join(root, "bin", "prometheus"), ENTRYPOINT_SCRIPT, { mode: 0o755 });
        fs.writeFileSync(path.join(root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n");
        fs.writeFileSync(path.join(root, "etc", "group"), "root:x:0:\nnobody:x:65534:\n");
        fs.chownSync(path.join(root, "prometheus"), NOBODY, NOBODY);
        fs.chmodSync(path.join(root, "tmp"), 0o1777);
        const tar = await tarOf(root);
        const id = await engine.docker(["import",
            "--change", 'ENTRYPOINT ["/bin/prometheus"]',
            "--change", "USER nobody",
            "--change", 'VOLUME ["/prometheus"]',
            "--change", "WORKDIR /prometheus",
            "--message", "scrape-anywhere test stand-in (busybox-static), not Prometheus",
            "-", ref], tar);
        return id.trim();
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
    }
}
