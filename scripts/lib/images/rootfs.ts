// The root filesystem of a locally built image: binaries copied with the shared libraries they load (ldd),
// directories with owner and mode, and /etc/passwd + /etc/group naming the image's users.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export interface RootfsSpec {
    /** Host file -> path in the image (mode 0755, owned by root). */
    binaries: { from: string; to: string }[];
    /** Directories made in the image (e.g. a WORKDIR owned by the image's user, /tmp 1777). */
    dirs?: { path: string; mode: number; uid?: number; gid?: number }[];
    /** Users and groups written to /etc/passwd and /etc/group (root is always there). */
    users?: { name: string; uid: number; gid: number; home: string }[];
    groups?: { name: string; gid: number }[];
}

/** The shared objects a dynamic binary loads (the interpreter included); none for a static one. */
export function sharedLibraries(binary: string): string[] {
    let out: string;
    try {
        out = execFileSync("ldd", [binary], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
        const text = `${(e as any).stdout ?? ""}${(e as any).stderr ?? ""}`;
        if (/not a dynamic executable|statically linked/.test(text)) return [];
        throw new Error(`ldd ${binary} failed: ${text.trim()}`);
    }
    const libs: string[] = [];
    for (const line of out.split("\n")) {
        const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
        if (m) libs.push(m[1]);
        else if (/not found/.test(line)) throw new Error(`${binary} needs a library the host lacks: ${line.trim()}`);
    }
    return libs;
}

function copyInto(root: string, from: string, to: string, mode: number): void {
    const dest = path.join(root, to);
    fs.mkdirSync(path.dirname(dest), { recursive: true, mode: 0o755 });
    fs.copyFileSync(fs.realpathSync(from), dest);
    fs.chmodSync(dest, mode);
    fs.chownSync(dest, 0, 0);
}

/** Makes `root` (emptied first) from `spec`. */
export function buildRootfs(root: string, spec: RootfsSpec): void {
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(root, { recursive: true, mode: 0o755 });
    const libs = new Set<string>();
    for (const b of spec.binaries) {
        if (!fs.existsSync(b.from)) throw new Error(`image rootfs: ${b.from} does not exist`);
        copyInto(root, b.from, b.to, 0o755);
        for (const l of sharedLibraries(b.from)) libs.add(l);
    }
    for (const l of libs) copyInto(root, l, l, 0o755);
    for (const d of spec.dirs ?? []) {
        const p = path.join(root, d.path);
        fs.mkdirSync(p, { recursive: true });
        fs.chmodSync(p, d.mode);
        fs.chownSync(p, d.uid ?? 0, d.gid ?? 0);
    }
    const users = [{ name: "root", uid: 0, gid: 0, home: "/root" }, ...(spec.users ?? [])];
    const groups = [{ name: "root", gid: 0 }, ...(spec.groups ?? [])];
    fs.mkdirSync(path.join(root, "etc"), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(root, "etc", "passwd"), users.map((u) => `${u.name}:x:${u.uid}:${u.gid}::${u.home}:/sbin/nologin\n`).join(""), { mode: 0o644 });
    fs.writeFileSync(path.join(root, "etc", "group"), groups.map((g) => `${g.name}:x:${g.gid}:\n`).join(""), { mode: 0o644 });
    // Directories made on the way are root's, 0755 (mkdirSync with an umask could make them narrower).
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            if (!e.isDirectory()) continue;
            const p = path.join(d, e.name);
            if (!(spec.dirs ?? []).some((x) => path.join(root, x.path) === p)) fs.chmodSync(p, 0o755);
            walk(p);
        }
    };
    walk(root);
}
