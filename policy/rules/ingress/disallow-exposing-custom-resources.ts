import { BaseRuleConfig, CUSTOM_RESOURCE_TOKENS, allowEntry, resourceRule, show, withArticle } from "../../lib/rule";
import { KubeType, kubeSubject, objectsOf, parseKubeType } from "../../lib/kubernetes";
import { Condition, anyHolds } from "../../lib/select";
import { isUnknown } from "../../lib/unknown";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

/** A custom resource kind that publishes workloads to a network, as written in policy config. */
export interface ExposureKind {
    /** API group, e.g. `route.openshift.io`; every version of it matches. */
    group: string;
    kind: string;
    /** What publishes it, for the message: e.g. `the OpenShift router`. */
    via: string;
    /** It exposes only when one of these holds; without the key it always does. */
    exposedWhen?: Condition[];
    /** It does not expose when one of these holds (e.g. a cluster-local label). */
    privateWhen?: Condition[];
}

interface Config extends BaseRuleConfig {
    /** The kinds checked; replaces the defaults when set. */
    exposureKinds: ExposureKind[];
    /** Kinds checked besides `exposureKinds` (a team's own, without repeating the defaults). */
    additionalExposureKinds: ExposureKind[];
}

// Istio: a VirtualService applies to the gateways named in `gateways`, or in the `gateways` of a route's
// match; the reserved name `mesh` means the sidecars inside the mesh, and is the default when the field is
// left out (istio/api networking/v1alpha3/virtual_service.proto, VirtualService.gateways and
// HTTPMatchRequest/TLSMatchAttributes/L4MatchAttributes.gateways).
const BOUND_TO_A_GATEWAY: Condition[] = [
    { path: "spec.gateways", anyValueExcept: ["mesh"] },
    { path: "spec.http[*].match[*].gateways", anyValueExcept: ["mesh"] },
    { path: "spec.tls[*].match[*].gateways", anyValueExcept: ["mesh"] },
    { path: "spec.tcp[*].match[*].gateways", anyValueExcept: ["mesh"] },
];

// Knative: a Service or Route labelled `networking.knative.dev/visibility: cluster-local` gets only a
// cluster-local domain; without the label it is published on the Knative ingress (knative/networking
// pkg/apis/networking/register.go VisibilityLabelKey = PublicGroupName + "/visibility" with PublicGroupName
// "networking.knative.dev"; knative/serving pkg/apis/serving/register.go VisibilityClusterLocal = "cluster-local").
const KNATIVE_CLUSTER_LOCAL: Condition[] = [{ path: 'metadata.labels["networking.knative.dev/visibility"]', equals: "cluster-local" }];

/** The exposure APIs in common use besides Ingress and the Gateway API (rule disallow-ingress-and-gateway). */
export const DEFAULT_EXPOSURE_KINDS: ExposureKind[] = [
    // openshift/api route/v1/zz_generated.crd-manifests/routes-Default.crd.yaml: group route.openshift.io, kind Route.
    { group: "route.openshift.io", kind: "Route", via: "the OpenShift router" },
    // istio/api networking/v1alpha3/gateway.proto: a Gateway is a load balancer at the edge of the mesh.
    { group: "networking.istio.io", kind: "Gateway", via: "an Istio ingress gateway" },
    { group: "networking.istio.io", kind: "VirtualService", via: "an Istio gateway", exposedWhen: BOUND_TO_A_GATEWAY },
    // traefik/traefik pkg/provider/kubernetes/crd/traefikio/v1alpha1/register.go (group traefik.io) and
    // .../crd/traefikcontainous/v1alpha1 (the Traefik v2 group traefik.containo.us): IngressRoute, -TCP, -UDP.
    ...["traefik.io", "traefik.containo.us"].flatMap((group) =>
        ["IngressRoute", "IngressRouteTCP", "IngressRouteUDP"].map((kind) => ({ group, kind, via: "Traefik" })),
    ),
    // projectcontour/contour apis/projectcontour/v1/httpproxy.go (GroupName projectcontour.io).
    { group: "projectcontour.io", kind: "HTTPProxy", via: "Contour" },
    // knative/serving pkg/apis/serving/v1 (Service, Route) and v1beta1/domainmapping_types.go (DomainMapping).
    { group: "serving.knative.dev", kind: "Service", via: "the Knative ingress", privateWhen: KNATIVE_CLUSTER_LOCAL },
    { group: "serving.knative.dev", kind: "Route", via: "the Knative ingress", privateWhen: KNATIVE_CLUSTER_LOCAL },
    { group: "serving.knative.dev", kind: "DomainMapping", via: "the Knative ingress (a custom domain)" },
    // Tunnel operators (issue 23). adyanth/cloudflare-operator: a TunnelBinding binds Services to a Cloudflare
    // tunnel (group networking.cfargotunnel.com, kind TunnelBinding, README "Create a TunnelBinding").
    { group: "networking.cfargotunnel.com", kind: "TunnelBinding", via: "a Cloudflare tunnel (cloudflare-operator)" },
    // ngrok/ngrok-operator: CloudEndpoint and AgentEndpoint are public ngrok endpoints (specs/controllers/service.md;
    // group ngrok.k8s.ngrok.com/v1alpha1, moving to ngrok.com/v1).
    ...["ngrok.k8s.ngrok.com", "ngrok.com"].flatMap((group) =>
        ["CloudEndpoint", "AgentEndpoint"].map((kind) => ({ group, kind, via: "an ngrok endpoint (ngrok operator)" })),
    ),
];

const conditionSchema: PolicyConfigJSONSchema = {
    type: "object",
    required: ["path"],
    additionalProperties: false,
    properties: {
        path: { type: "string", description: 'Property path: keys separated by ".", [*] for every list item, ["key.with.dots"].' },
        equals: { type: ["string", "number", "boolean"], description: "Holds when a value at the path equals this." },
        anyValueExcept: { type: "array", items: { type: "string" }, description: "Holds when a value (or list item) at the path is a string not in this list." },
    },
};

const kindSchema: PolicyConfigJSONSchema = {
    type: "object",
    required: ["group", "kind", "via"],
    additionalProperties: false,
    properties: {
        group: { type: "string", description: "API group, e.g. route.openshift.io (any version matches)." },
        kind: { type: "string" },
        via: { type: "string", description: "What publishes it, for the message." },
        exposedWhen: { type: "array", items: conditionSchema, description: "It exposes only when one of these holds (default: always)." },
        privateWhen: { type: "array", items: conditionSchema, description: "It does not expose when one of these holds." },
    },
};

function kindsOf(config: Config): ExposureKind[] {
    return [...(config.exposureKinds ?? []), ...(config.additionalExposureKinds ?? [])];
}

/** The configured kind a type token is an instance of (its patches and lists included). */
function exposureKindOf(type: string, config: Config): { kt: KubeType; kind: ExposureKind } | undefined {
    const kt = parseKubeType(type);
    if (!kt) {
        return undefined;
    }
    const kind = kindsOf(config).find((k) => k.group === kt.group && k.kind === kt.kind);
    return kind ? { kt, kind } : undefined;
}

/**
 * Custom resources of other projects' exposure APIs (OpenShift Route, Istio Gateway and gateway-bound
 * VirtualService, Traefik IngressRoute, Contour HTTPProxy, public Knative Service/Route, DomainMapping, and
 * whatever a team adds in config), however they were made: `kubernetes.apiextensions.CustomResource`
 * (token `kubernetes:<group>/<version>:<kind>`), a typed class from crd2pulumi, or an object rendered by
 * a Helm Chart v4 or yaml ConfigGroup/ConfigFile v2.
 */
export const disallowExposingCustomResources = resourceRule<Config>({
    name: "disallow-exposing-custom-resources",
    description:
        "No custom resource of an exposure API (OpenShift Route, Istio Gateway/VirtualService bound to a gateway, Traefik IngressRoute, Contour HTTPProxy, public Knative Service, ...): they publish workloads to a network.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Remove the resource and publish the workload as a Ziti service; for a Knative Service, label it networking.knative.dev/visibility: cluster-local.",
    configProperties: {
        exposureKinds: {
            type: "array",
            items: kindSchema,
            default: DEFAULT_EXPOSURE_KINDS as unknown as object[],
            description: "Custom resource kinds that publish workloads (group, kind, via, optional exposedWhen/privateWhen); replaces the defaults when set.",
        },
        additionalExposureKinds: {
            type: "array",
            items: kindSchema,
            default: [],
            description: "More kinds to check besides exposureKinds, so a team adds its own without repeating the defaults.",
        },
    },
    configDefaults: { exposureKinds: DEFAULT_EXPOSURE_KINDS, additionalExposureKinds: [] },
    appliesTo: (type, config) => CUSTOM_RESOURCE_TOKENS.has(type) || exposureKindOf(type, config) !== undefined,
    subject: kubeSubject,
    check: (ctx) => {
        if (CUSTOM_RESOURCE_TOKENS.has(ctx.type)) {
            // Still the overlay token: its apiVersion or kind is not known, so neither is what it is.
            for (const field of ["apiVersion", "kind"]) {
                if (isUnknown(ctx.props[field])) ctx.unknown(field);
            }
            return;
        }
        const { kt, kind } = exposureKindOf(ctx.type, ctx.config)!;
        const fix = `or allow-list ${allowEntry(ctx.subject)}.`;
        for (const { obj, path } of objectsOf(kt, ctx.props, ctx.unknown)) {
            const where = path ? ` (${path})` : "";
            const inPath = (p: string) => (path ? `${path}.${p}` : p);
            const isPrivate = anyHolds(obj, kind.privateWhen ?? []);
            if (isPrivate.holds) {
                continue;
            }
            const exposed = kind.exposedWhen ? anyHolds(obj, kind.exposedWhen) : ({ holds: true, where: "", value: null } as const);
            if (!exposed.holds) {
                if (exposed.unknown.length > 0) {
                    // Whether it exposes is open; so is whether it is private, if that was unknown too.
                    [...exposed.unknown, ...isPrivate.unknown].forEach((p) => ctx.unknown(inPath(p)));
                }
                continue;
            }
            if (isPrivate.unknown.length > 0) {
                isPrivate.unknown.forEach((p) => ctx.unknown(inPath(p)));
                continue; // exposed unless the unknown value makes it private: checked again at `pulumi up`
            }
            const because = exposed.where ? ` (${inPath(exposed.where)}: ${show(exposed.value)})` : "";
            const privately = (kind.privateWhen ?? [])
                .filter((c) => c.equals !== undefined)
                .map((c) => `set ${c.path}: ${show(c.equals as string)}`);
            ctx.report(
                `${ctx.subject.label}${where} is ${withArticle(kt.group)} ${kt.kind}, which publishes workloads to the network through ${kind.via}${because}. ` +
                    `Fix: remove it and publish the workload as a Ziti service (Bind policy for its identity)${
                        privately.length > 0 ? `, or keep it private (${privately.join(" or ")})` : ""
                    }, ${fix}`,
            );
        }
    },
});

