// Writes an OCI image archive (image-layout 1.0.0 as one tar: oci-layout, index.json, blobs/sha256/*) from a
// root filesystem directory and an image config, for `ctr images import` on a node that can pull nothing.
// Layout and media types: opencontainers/image-spec image-layout.md, manifest.md, config.md. The reference is
// recorded twice in the index, as `org.opencontainers.image.ref.name` (the spec's) and `io.containerd.image.name`
// (what `ctr images import` names the image by: containerd core/images/archive/importer.go).
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as tar from "tar";

/** The parts of an OCI image config a pod's container uses (config.md `config`). */
export interface ImageConfig {
    entrypoint: string[];
    cmd?: string[];
    /** "uid:gid" or a name the image's /etc/passwd resolves. */
    user: string;
    workingDir?: string;
    env?: string[];
    volumes?: string[];
    labels?: Record<string, string>;
}

const EPOCH = new Date(0);

/** A tar of `rootfs` with owners and modes as they are on disk, every mtime 0 (same input, same digest). */
async function layerTar(rootfs: string, out: string): Promise<void> {
    const entries = fs.readdirSync(rootfs).sort();
    await tar.create({ cwd: rootfs, file: out, portable: false, mtime: EPOCH, noDirRecurse: false }, entries);
}

function sha256File(file: string): { digest: string; size: number } {
    const h = crypto.createHash("sha256");
    h.update(fs.readFileSync(file));
    return { digest: `sha256:${h.digest("hex")}`, size: fs.statSync(file).size };
}

/** Writes `<blobs>/<hex>` from a JSON document; returns its descriptor. */
function jsonBlob(blobs: string, mediaType: string, doc: unknown): { mediaType: string; digest: string; size: number } {
    const bytes = Buffer.from(JSON.stringify(doc));
    const hex = crypto.createHash("sha256").update(bytes).digest("hex");
    fs.writeFileSync(path.join(blobs, hex), bytes);
    return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
}

/**
 * Builds `out` (an OCI archive holding one image named `reference`) from the directory `rootfs`, using `work`
 * as scratch space. Returns the manifest digest.
 */
export async function writeOciArchive(args: { rootfs: string; config: ImageConfig; reference: string; work: string; out: string }): Promise<string> {
    const layout = path.join(args.work, "layout");
    const blobs = path.join(layout, "blobs", "sha256");
    fs.rmSync(layout, { recursive: true, force: true });
    fs.mkdirSync(blobs, { recursive: true });

    const layerFile = path.join(args.work, "layer.tar");
    await layerTar(args.rootfs, layerFile);
    const layer = sha256File(layerFile);
    fs.renameSync(layerFile, path.join(blobs, layer.digest.slice("sha256:".length)));

    const c = args.config;
    const config = jsonBlob(blobs, "application/vnd.oci.image.config.v1+json", {
        architecture: "amd64", os: "linux", created: EPOCH.toISOString(),
        config: {
            Entrypoint: c.entrypoint, ...(c.cmd ? { Cmd: c.cmd } : {}), User: c.user,
            ...(c.workingDir ? { WorkingDir: c.workingDir } : {}), Env: c.env ?? ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            ...(c.volumes?.length ? { Volumes: Object.fromEntries(c.volumes.map((v) => [v, {}])) } : {}),
            ...(c.labels ? { Labels: c.labels } : {}),
        },
        rootfs: { type: "layers", diff_ids: [layer.digest] },
        history: [{ created: EPOCH.toISOString(), created_by: "scrape-anywhere scripts/lib/images (built locally, see the image's labels)" }],
    });
    const manifest = jsonBlob(blobs, "application/vnd.oci.image.manifest.v1+json", {
        schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config,
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layer.digest, size: layer.size }],
    });
    fs.writeFileSync(path.join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    fs.writeFileSync(path.join(layout, "index.json"), JSON.stringify({
        schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [{ ...manifest, annotations: { "io.containerd.image.name": args.reference, "org.opencontainers.image.ref.name": args.reference } }],
    }));
    const tmp = `${args.out}.tmp.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
    await tar.create({ cwd: layout, file: tmp, portable: true, mtime: EPOCH }, ["oci-layout", "index.json", "blobs"]);
    fs.renameSync(tmp, args.out);
    fs.rmSync(layout, { recursive: true, force: true });
    return manifest.digest;
}
