// Builds the catalog's images as OCI archives, once per content, into the tools cache
// (~/.cache/scrape-anywhere/images/<name>-<key>.tar), and imports them into a node's containerd.
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CatalogImage, normalizeReference } from "./catalog";
import { writeOciArchive } from "./ociArchive";
import { buildRootfs, RootfsSpec, sharedLibraries } from "./rootfs";

const cacheRoot = () => path.join(process.env.SCRAPE_ANYWHERE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "scrape-anywhere"), "images");

/** A key over everything that goes into the image: the spec, the config, and each file's size and mtime. */
function contentKey(image: CatalogImage, spec: RootfsSpec): string {
    const files = spec.binaries.flatMap((b) => [b.from, ...sharedLibraries(b.from)]).map((f) => {
        const s = fs.statSync(f);
        return [f, s.size, s.mtimeMs];
    });
    return crypto.createHash("sha256").update(JSON.stringify([normalizeReference(image.reference), spec, image.config, files])).digest("hex").slice(0, 16);
}

/**
 * Builds of this process under way, by archive path: the nodes of a run start in parallel and ask for the same
 * images at once; they share one build (found by tier flavor on a cold cache: three builds of one archive renamed
 * the same temporary file, and two failed with ENOENT).
 */
const building = new Map<string, Promise<string>>();

/** The archive of `image`, built when missing. Throws for an image the catalog marks unavailable. */
export async function imageArchive(image: CatalogImage, log: (m: string) => void = () => undefined): Promise<string> {
    if (!image.rootfs || !image.config) throw new Error(`image ${image.reference} cannot be built here: ${image.unavailable}`);
    const spec = image.rootfs();
    const dir = cacheRoot();
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const out = path.join(dir, `${image.name}-${contentKey(image, spec)}.tar`);
    if (fs.existsSync(out)) return out;
    const running = building.get(out);
    if (running) return running;
    const build = buildArchive(image, spec, dir, out, log).finally(() => building.delete(out));
    building.set(out, build);
    return build;
}

async function buildArchive(image: CatalogImage, spec: RootfsSpec, dir: string, out: string, log: (m: string) => void): Promise<string> {
    const t0 = Date.now();
    const work = fs.mkdtempSync(path.join(dir, `.${image.name}-`));
    try {
        buildRootfs(path.join(work, "rootfs"), spec);
        await writeOciArchive({
            rootfs: path.join(work, "rootfs"), reference: normalizeReference(image.reference), work, out,
            config: { ...image.config!, labels: { ...image.config!.labels, "scrape-anywhere.stands-for": image.standsFor, ...(image.differs ? { "scrape-anywhere.differs": image.differs } : {}) } },
        });
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
    log(`built image ${image.reference} in ${((Date.now() - t0) / 1000).toFixed(1)}s (${(fs.statSync(out).size / 2 ** 20).toFixed(0)} MiB): ${out}`);
    return out;
}

/** Imports archives into the `k8s.io` namespace of the containerd at `address` (what the CRI, hence the kubelet, sees). */
export function importImages(ctr: string, address: string, archives: string[]): void {
    for (const a of archives) {
        execFileSync(ctr, ["--address", address, "--namespace", "k8s.io", "images", "import", a], { stdio: ["ignore", "pipe", "pipe"] });
    }
}
