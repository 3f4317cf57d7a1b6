// The annotations and labels that make a controller expose a plain ClusterIP Service or a Docker container
// (the curated list of disallow-exposing-annotations-and-labels), each with its source.
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

/** One annotation or label that exposes what carries it, as written in policy config. */
export interface ExposingMark {
    /** `kubernetes` (metadata.annotations / metadata.labels) or `docker` (container and swarm service labels). */
    platform: "kubernetes" | "docker";
    /** Kubernetes only: where the key sits. Docker has labels only. */
    on?: "annotation" | "label";
    /** The exact key, or with `keyPrefix: true` every key that starts with it. */
    key: string;
    keyPrefix?: boolean;
    /** Holds only for this value (compared case-insensitively); without it any value holds. */
    equals?: string;
    /** What exposes it, for the message. */
    via: string;
    /** Where the fact comes from (repository and file). */
    source: string;
}

export const DEFAULT_EXPOSING_MARKS: ExposingMark[] = [
    {
        platform: "kubernetes", on: "annotation", key: "tailscale.com/expose", equals: "true",
        via: "the Tailscale Kubernetes operator (a proxy joins the tailnet for the Service)",
        source: "tailscale/tailscale cmd/k8s-operator/sts.go AnnotationExpose (\"Annotations settable by users on services\")",
    },
    {
        // Any value: the operator tests only that the key is present (`_, shouldExpose := svc.Annotations[...]`).
        platform: "kubernetes", on: "annotation", key: "netbird.io/expose",
        via: "the NetBird Kubernetes operator (a routing peer publishes the Service on the NetBird network)",
        source: "netbirdio/kubernetes-operator internal/controller/service_controller.go serviceExposeAnnotation",
    },
    {
        platform: "docker", key: "traefik.enable", equals: "true",
        via: "Traefik's Docker provider",
        source: "traefik/traefik pkg/provider/docker/shared_labels.go extractDockerLabels (traefik.enable, ExposedByDefault)",
    },
    {
        platform: "docker", key: "traefik.http.routers.", keyPrefix: true,
        via: "Traefik's Docker provider (an HTTP router)",
        source: "traefik/traefik pkg/provider/docker/config.go build (label.DecodeConfiguration(container.Labels): HTTP routers)",
    },
    {
        platform: "docker", key: "traefik.tcp.routers.", keyPrefix: true,
        via: "Traefik's Docker provider (a TCP router)",
        source: "traefik/traefik pkg/provider/docker/config.go build (label.DecodeConfiguration(container.Labels): TCP routers)",
    },
    {
        platform: "docker", key: "caddy", via: "caddy-docker-proxy (a site block)",
        source: "lucaslorentz/caddy-docker-proxy README.md \"Basic labels\" (label prefix caddy, caddy_N for more sites)",
    },
    {
        platform: "docker", key: "caddy_", keyPrefix: true, via: "caddy-docker-proxy (a site block)",
        source: "lucaslorentz/caddy-docker-proxy README.md \"Basic labels\"",
    },
    {
        platform: "docker", key: "tsdproxy.enable", equals: "true",
        via: "TSDProxy (the container joins the tailnet as its own machine)",
        source: "almeidapaulopt/tsdproxy internal/targetproviders/docker/consts.go LabelEnable, LabelIsEnabled",
    },
];

export const markSchema: PolicyConfigJSONSchema = {
    type: "object",
    required: ["platform", "key", "via"],
    additionalProperties: false,
    properties: {
        platform: { type: "string", enum: ["kubernetes", "docker"] },
        on: { type: "string", enum: ["annotation", "label"] },
        key: { type: "string" },
        keyPrefix: { type: "boolean" },
        equals: { type: "string" },
        via: { type: "string" },
        source: { type: "string" },
    },
};

/** Whether `key: value` is this mark. A `caddy.` key belongs to the `caddy` site block too. */
export function matchesMark(mark: ExposingMark, key: string, value: unknown): boolean {
    const keyHit = mark.keyPrefix ? key.startsWith(mark.key) : key === mark.key || (mark.key === "caddy" && key.startsWith("caddy."));
    if (!keyHit) return false;
    return mark.equals === undefined || (typeof value === "string" && value.trim().toLowerCase() === mark.equals.toLowerCase()) || value === true;
}
