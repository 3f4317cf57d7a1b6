// Writes what config/schema.ts declares into the README's config table and Pulumi.yaml's `config:` block
// (config/docs.ts makes the text). `--check` writes nothing and exits 1 naming each stale file.
//   npm run config-docs [-- --check]
import * as fs from "fs";
import * as path from "path";
import { withProjectConfig, withReadmeTable } from "../config/docs";

const root = path.resolve(__dirname, "..");
const check = process.argv.includes("--check");
let stale = 0;
for (const [file, update] of [["README.md", withReadmeTable], ["Pulumi.yaml", withProjectConfig]] as const) {
    const p = path.join(root, file);
    const now = fs.readFileSync(p, "utf8");
    const want = update(now);
    if (want === now) continue;
    if (check) {
        console.error(`${file} is stale: run npm run config-docs`);
        stale++;
    } else {
        fs.writeFileSync(p, want);
        console.log(`${file}: written from config/schema.ts`);
    }
}
process.exit(stale ? 1 : 0);
