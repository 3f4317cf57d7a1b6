import { parse as parseYaml } from "yaml";
import { BaseRuleConfig, allowEntry, isObject, joinPath, resourceRule } from "../../lib/rule";
import { kubeSubject, objectsOf, parseKubeType } from "../../lib/kubernetes";
import { isUnknown } from "../../lib/unknown";
import { DOCKER_CONTAINER, dockerSubject } from "../docker/disallow-docker-published-ports";

interface Config extends BaseRuleConfig {
    /** ConfigMap data keys / uploaded file names that hold a Prometheus config. */
    fileNames: string[];
    /** Scrape job names accepted over the underlay with https (e.g. the Kubernetes API jobs). */
    allowedJobs: string[];
}

const DEFAULT_FILE_NAMES = ["prometheus.yml", "prometheus.yaml"];
/** This project's jobs that watch the cluster's own Kubernetes API over the underlay, by design (https). */
const DEFAULT_ALLOWED_JOBS = ["kubernetes-apiservers", "kubernetes-nodes"];
const ZITI_SCHEMES = new Set(["ziti", "zitis"]);

/** Targets that stay inside the pod (or container): loopback only. */
export function isLocalTarget(target: string): boolean {
    let host = target.trim();
    if (host.startsWith("[")) {
        host = host.slice(1, host.indexOf("]") < 0 ? undefined : host.indexOf("]"));
    } else if ((host.match(/:/g) ?? []).length === 1) {
        host = host.slice(0, host.indexOf(":"));
    }
    host = host.toLowerCase();
    return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Findings for one Prometheus config text; `where` names it in messages. */
export function checkPrometheusConfig(text: string, allowedJobs: readonly string[]): { problems: string[]; parseError?: string } {
    let doc: unknown;
    try {
        doc = parseYaml(text);
    } catch (e) {
        return { problems: [], parseError: (e as Error).message.split("\n")[0] };
    }
    const problems: string[] = [];
    const jobs = doc !== null && typeof doc === "object" ? (doc as { scrape_configs?: unknown }).scrape_configs : undefined;
    if (!Array.isArray(jobs)) {
        return { problems };
    }
    jobs.forEach((job: unknown, i) => {
        if (job === null || typeof job !== "object") {
            return;
        }
        const j = job as Record<string, unknown>;
        const jobName = typeof j.job_name === "string" ? j.job_name : `#${i}`;
        const scheme = typeof j.scheme === "string" ? j.scheme : "http";
        if (ZITI_SCHEMES.has(scheme) || (allowedJobs.includes(jobName) && scheme !== "http")) {
            return; // over Ziti, or an accepted underlay job (plain http is never accepted)
        }
        const remote: string[] = [];
        const statics = Array.isArray(j.static_configs) ? j.static_configs : [];
        for (const sc of statics) {
            const targets = sc !== null && typeof sc === "object" ? (sc as { targets?: unknown }).targets : undefined;
            for (const t of Array.isArray(targets) ? targets : []) {
                if (typeof t === "string" && !isLocalTarget(t)) {
                    remote.push(t);
                }
            }
        }
        const discovered = Object.keys(j).filter((k) => k.endsWith("_sd_configs"));
        if (remote.length === 0 && discovered.length === 0) {
            return; // loopback only: inside the pod
        }
        const what = [
            ...(remote.length > 0 ? [`target${remote.length === 1 ? "" : "s"} ${remote.join(", ")}`] : []),
            ...discovered.map((k) => `targets found by ${k}`),
        ].join(" and ");
        problems.push(`scrape job '${jobName}' uses scheme ${scheme} for ${what} outside the pod`);
    });
    // remote_write (issue 26): the writes leave only through the pod's tunneler, i.e. to a loopback URL.
    const writes = doc !== null && typeof doc === "object" ? (doc as { remote_write?: unknown }).remote_write : undefined;
    (Array.isArray(writes) ? writes : []).forEach((w: unknown, i) => {
        const url = w !== null && typeof w === "object" ? (w as { url?: unknown }).url : undefined;
        if (typeof url !== "string") return;
        let host: string;
        try {
            host = new URL(url).host;
        } catch {
            problems.push(`remote_write #${i} has an unparsable url ${url}`);
            return;
        }
        if (!isLocalTarget(host)) problems.push(`remote_write #${i} sends to ${url}, outside the pod`);
    });
    return { problems };
}

/** Where a resource keeps Prometheus config texts: ConfigMap data keys, or Docker uploads. */
function configTexts(
    type: string,
    props: { [k: string]: unknown },
    fileNames: readonly string[],
    unknown: (path: string) => void,
): { where: string; text: string }[] {
    const out: { where: string; text: string }[] = [];
    const isConfigFile = (file: string) => fileNames.some((n) => file === n || file.endsWith(`/${n}`));
    const kt = parseKubeType(type);
    if (kt && kt.group === "core" && kt.kind === "ConfigMap") {
        for (const { obj, path } of objectsOf(kt, props as never, unknown)) {
            const data = obj.data;
            const dataPath = joinPath(path, "data");
            if (isUnknown(data)) {
                unknown(dataPath);
                continue;
            }
            if (!isObject(data)) {
                continue;
            }
            for (const [key, value] of Object.entries(data)) {
                if (!isConfigFile(key)) {
                    continue;
                }
                const where = `${dataPath}["${key}"]`;
                if (isUnknown(value)) {
                    unknown(where);
                } else if (typeof value === "string") {
                    out.push({ where, text: value });
                }
            }
        }
    } else if (type === DOCKER_CONTAINER) {
        const uploads = props.uploads;
        if (isUnknown(uploads)) {
            unknown("uploads");
            return out;
        }
        (Array.isArray(uploads) ? uploads : []).forEach((u: unknown, i) => {
            const path = `uploads[${i}]`;
            if (isUnknown(u)) {
                unknown(path);
                return;
            }
            if (u === null || typeof u !== "object") {
                return;
            }
            const up = u as Record<string, unknown>;
            if (isUnknown(up.file)) {
                unknown(`${path}.file`);
                return;
            }
            if (typeof up.file !== "string" || !isConfigFile(up.file)) {
                return;
            }
            const where = `${path} (${up.file})`;
            if (isUnknown(up.content) || isUnknown(up.contentBase64)) {
                unknown(`${path}.content`);
            } else if (typeof up.content === "string") {
                out.push({ where, text: up.content });
            } else if (typeof up.contentBase64 === "string") {
                out.push({ where, text: Buffer.from(up.contentBase64, "base64").toString("utf8") });
            }
        });
    }
    return out;
}

function appliesTo(type: string): boolean {
    const kt = parseKubeType(type);
    return type === DOCKER_CONTAINER || (kt !== undefined && kt.group === "core" && kt.kind === "ConfigMap");
}

/** Rule 9: Prometheus scrape configs may use only `scheme: ziti`/`zitis` for targets outside the pod. */
export const requireZitiScrapeScheme = resourceRule<Config>({
    name: "require-ziti-scrape-scheme",
    description: "Prometheus scrape configs (ConfigMap data or uploaded file) must scrape non-local targets over Ziti (scheme ziti or zitis), and remote_write only to a loopback URL (the pod's tunneler).",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps: "Set `scheme: ziti` (or `zitis`) and `params: {ziti-config: [<identity file>]}` on the job, with targets written `service-terminator`.",
    configProperties: {
        fileNames: {
            type: "array",
            items: { type: "string" },
            default: DEFAULT_FILE_NAMES,
            description: "ConfigMap data keys and uploaded file names (a path ending in one) that hold a Prometheus config.",
        },
        allowedJobs: {
            type: "array",
            items: { type: "string" },
            default: DEFAULT_ALLOWED_JOBS,
            description:
                "Scrape job names accepted over the underlay with a non-http scheme (https), e.g. the Kubernetes API jobs; plain http is never accepted.",
        },
    },
    configDefaults: { fileNames: DEFAULT_FILE_NAMES, allowedJobs: DEFAULT_ALLOWED_JOBS },
    appliesTo,
    subject: (args) => (args.type === DOCKER_CONTAINER ? dockerSubject(args) : kubeSubject(args)),
    check: (ctx) => {
        for (const { where, text } of configTexts(ctx.type, ctx.props, ctx.config.fileNames, ctx.unknown)) {
            const { problems, parseError } = checkPrometheusConfig(text, ctx.config.allowedJobs);
            if (parseError !== undefined) {
                ctx.report(
                    `${ctx.subject.label} ${where} is not valid YAML (${parseError}), so its scrape configs could not be checked. ` +
                        `Fix: correct the YAML.`,
                );
            }
            for (const problem of problems) {
                ctx.report(
                    `${ctx.subject.label} ${where}: ${problem}. ` +
                        `Fix: ${problem.startsWith("remote_write") ? "write to the loopback port of the pod's tunneler (a proxy.v1 of the write service), or " : ""}scrape it over the overlay with scheme: ziti (or zitis) and params.ziti-config, ` +
                        `list the job in allowedJobs, or allow-list ${allowEntry(ctx.subject)}.`,
                );
            }
        }
    },
});
