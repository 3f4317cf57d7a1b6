import { BaseRuleConfig, CheckContext, allowEntry, isObject, joinPath, resourceRule, show } from "../../lib/rule";
import { kubeSubject, objectsOf, parseKubeType } from "../../lib/kubernetes";
import { Plain, isUnknown } from "../../lib/unknown";
import { DOCKER_CONTAINER, DOCKER_SERVICE, dockerSubject } from "../docker/disallow-docker-published-ports";
import { DEFAULT_EXPOSING_MARKS, ExposingMark, markSchema, matchesMark } from "./exposing-marks";

interface Config extends BaseRuleConfig {
    exposingMarks: ExposingMark[];
    additionalExposingMarks: ExposingMark[];
}

type Ctx = CheckContext<Config>;

function marksOf(config: Config): ExposingMark[] {
    return [...(config.exposingMarks ?? []), ...(config.additionalExposingMarks ?? [])];
}

function reportHit(ctx: Ctx, mark: ExposingMark, where: string, value: Plain): void {
    const what = mark.platform === "docker" ? "label" : mark.on ?? "annotation";
    ctx.report(
        `${ctx.subject.label} carries the ${what} ${where}: ${show(value)}, so ${mark.via} exposes it. ` +
            `Fix: remove the ${what} and publish the workload as a Ziti service, or allow-list ${allowEntry(ctx.subject)}.`,
    );
}

/** A key/value map (Kubernetes metadata) checked against the marks of `on`. */
function checkMap(ctx: Ctx, map: Plain | undefined, path: string, marks: ExposingMark[]): void {
    if (isUnknown(map)) {
        if (marks.length > 0) ctx.unknown(path);
        return;
    }
    if (!isObject(map)) return;
    for (const [key, value] of Object.entries(map)) {
        const hit = marks.find((m) => matchesMark(m, key, value));
        if (hit) reportHit(ctx, hit, `${path}["${key}"]`, value);
        else if (isUnknown(value) && marks.some((m) => matchesMark({ ...m, equals: undefined }, key, ""))) ctx.unknown(`${path}["${key}"]`);
    }
}

/** Docker labels: a list of `{label, value}` (@pulumi/docker types/input.d.ts ContainerLabel, ServiceLabel). */
function checkDockerLabels(ctx: Ctx, labels: Plain | undefined, path: string, marks: ExposingMark[]): void {
    if (isUnknown(labels)) {
        ctx.unknown(path);
        return;
    }
    (Array.isArray(labels) ? labels : []).forEach((l, i) => {
        const p = joinPath(path, i);
        if (isUnknown(l) || (isObject(l) && isUnknown(l.label))) {
            ctx.unknown(p);
            return;
        }
        if (!isObject(l) || typeof l.label !== "string") return;
        const hit = marks.find((m) => matchesMark(m, l.label as string, l.value));
        if (hit) reportHit(ctx, hit, `${p} ${l.label}`, l.value ?? null);
        else if (isUnknown(l.value) && marks.some((m) => matchesMark({ ...m, equals: undefined }, l.label as string, ""))) ctx.unknown(`${p}.value`);
    });
}

/**
 * Issue 23, exposure by annotation or label: some controllers expose a plain ClusterIP Service or a Docker
 * container because of an annotation or label on it (the Tailscale operator's `tailscale.com/expose`,
 * Traefik's and caddy-docker-proxy's Docker labels). The known ones are kept in config with their sources
 * (`exposingMarks`, rules/exposure/exposing-marks.ts); a team adds its own with `additionalExposingMarks`.
 */
export const disallowExposingAnnotationsAndLabels = resourceRule<Config>({
    name: "disallow-exposing-annotations-and-labels",
    description: "No annotation or label that makes a controller expose the resource (Tailscale operator, Traefik or caddy-docker-proxy Docker labels, ...).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Remove the annotation or label; publish the workload as a Ziti service instead.",
    configProperties: {
        exposingMarks: {
            type: "array",
            items: markSchema,
            default: DEFAULT_EXPOSING_MARKS as unknown as object[],
            description: "Annotations and labels that expose what carries them (platform, on, key, keyPrefix, equals, via, source); replaces the defaults when set.",
        },
        additionalExposingMarks: { type: "array", items: markSchema, default: [], description: "More marks, checked besides exposingMarks." },
    },
    configDefaults: { exposingMarks: DEFAULT_EXPOSING_MARKS, additionalExposingMarks: [] },
    appliesTo: (type) => type === DOCKER_CONTAINER || type === DOCKER_SERVICE || parseKubeType(type) !== undefined,
    subject: (args) => (args.type === DOCKER_CONTAINER || args.type === DOCKER_SERVICE ? dockerSubject(args) : kubeSubject(args)),
    check: (ctx) => {
        const marks = marksOf(ctx.config);
        if (ctx.type === DOCKER_CONTAINER || ctx.type === DOCKER_SERVICE) {
            const docker = marks.filter((m) => m.platform === "docker");
            checkDockerLabels(ctx, ctx.props.labels, "labels", docker);
            if (ctx.type === DOCKER_SERVICE) {
                // A swarm service's container labels (taskSpec.containerSpec.labels) are read by the same providers.
                const cs = isObject(ctx.props.taskSpec) ? ctx.props.taskSpec.containerSpec : undefined;
                if (isObject(cs)) checkDockerLabels(ctx, cs.labels, "taskSpec.containerSpec.labels", docker);
            }
            return;
        }
        const kube = marks.filter((m) => m.platform === "kubernetes");
        const kt = parseKubeType(ctx.type)!;
        for (const { obj, path } of objectsOf(kt, ctx.props, ctx.unknown)) {
            const meta = obj.metadata;
            const metaPath = joinPath(path, "metadata");
            if (isUnknown(meta)) {
                ctx.unknown(metaPath);
                continue;
            }
            if (!isObject(meta)) continue;
            checkMap(ctx, meta.annotations, joinPath(metaPath, "annotations"), kube.filter((m) => (m.on ?? "annotation") === "annotation"));
            checkMap(ctx, meta.labels, joinPath(metaPath, "labels"), kube.filter((m) => m.on === "label"));
        }
    },
});
