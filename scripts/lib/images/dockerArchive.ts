// The catalog's OCI archives (ociArchive.ts) for `docker load`. Debian's docker.io (Docker 20.10) loads only the
// docker-archive format: a tar with manifest.json naming each image's config file, its layer files and RepoTags
// (moby image/tarexport/load.go, 20.10); OCI layouts load from Docker 25 on. The OCI archive's blobs are those files
// already (uncompressed layer, diff_id = digest), so this writes the same blobs with a manifest.json beside them.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tar from "tar";

/** Reads one JSON file of an extracted OCI layout. */
const readJson = (dir: string, file: string) => JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
const blobPath = (digest: string) => path.join("blobs", "sha256", digest.replace(/^sha256:/, ""));

/**
 * `<ociArchive>.docker.tar` (made once), loadable by `docker load`; every image of the OCI index is tagged with
 * its `org.opencontainers.image.ref.name` (the reference the catalog gave it).
 */
export async function dockerArchive(ociArchive: string): Promise<string> {
    const out = ociArchive.replace(/\.tar$/, "") + ".docker.tar";
    if (fs.existsSync(out)) return out;
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "sa-docker-archive-"));
    try {
        await tar.extract({ file: ociArchive, cwd: work });
        const index = readJson(work, "index.json");
        const manifest = (index.manifests as any[]).map((m) => {
            const image = readJson(work, blobPath(m.digest));
            const ref: string | undefined = m.annotations?.["org.opencontainers.image.ref.name"];
            if (!ref) throw new Error(`${ociArchive}: manifest ${m.digest} has no org.opencontainers.image.ref.name`);
            return { Config: blobPath(image.config.digest), RepoTags: [ref], Layers: (image.layers as any[]).map((l) => blobPath(l.digest)) };
        });
        fs.writeFileSync(path.join(work, "manifest.json"), JSON.stringify(manifest));
        const tmp = `${out}.tmp.${process.pid}`;
        await tar.create({ cwd: work, file: tmp, portable: true }, ["manifest.json", "blobs"]);
        fs.renameSync(tmp, out);
        return out;
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}
