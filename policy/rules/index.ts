// The rule list: the pack (policy/index.ts), the tests and the README enumerate this array.
// Every rule is listed literally; nothing is added or dropped by branches.
import { Policies } from "@pulumi/policy";
import { disallowLoadBalancerService } from "./service/disallow-loadbalancer-service";
import { disallowNodePortService } from "./service/disallow-nodeport-service";
import { disallowServiceExternalIps } from "./service/disallow-service-external-ips";
import { disallowIngressAndGateway } from "./ingress/disallow-ingress-and-gateway";
import { disallowExposingCustomResources } from "./ingress/disallow-exposing-custom-resources";
import { disallowHostNetworkAndPorts } from "./workload/disallow-host-network-and-ports";
import { disallowDockerPublishedPorts } from "./docker/disallow-docker-published-ports";
import { disallowOpaqueHelmRelease } from "./helm/disallow-opaque-helm-release";
import { disallowServiceInDarkCluster } from "./stack/disallow-service-in-dark-cluster";
import { requireZitiScrapeScheme } from "./prometheus/require-ziti-scrape-scheme";
import { disallowDialAllIdentities } from "./ziti/disallow-dial-all-identities";
import { disallowDialAllServices } from "./ziti/disallow-dial-all-services";
import { disallowDialEveryStackService } from "./ziti/disallow-dial-every-stack-service";
import { requireNamedDialersForSensitiveServices } from "./ziti/require-named-dialers-for-sensitive-services";
import { requireExplicitBindIdentities } from "./ziti/require-explicit-bind-identities";
import { disallowExposingAnnotationsAndLabels } from "./exposure/disallow-exposing-annotations-and-labels";
import { disallowOpaqueInstallers } from "./installer/disallow-opaque-installers";
import { disallowUnknownCustomResources } from "./customresource/disallow-unknown-custom-resources";
import { disallowHostLevelCniAttachments } from "./workload/disallow-host-level-cni-attachments";
import { disallowHostLevelDockerNetworks } from "./docker/disallow-host-level-docker-networks";
import { disallowForeignContainerNetwork } from "./docker/disallow-foreign-container-network";
import { disallowBindAllIdentities } from "./ziti/disallow-bind-all-identities";
import { disallowBindAllServices } from "./ziti/disallow-bind-all-services";

export {
    disallowLoadBalancerService,
    disallowNodePortService,
    disallowServiceExternalIps,
    disallowIngressAndGateway,
    disallowExposingCustomResources,
    disallowHostNetworkAndPorts,
    disallowDockerPublishedPorts,
    disallowOpaqueHelmRelease,
    disallowServiceInDarkCluster,
    requireZitiScrapeScheme,
    disallowDialAllIdentities,
    disallowDialAllServices,
    disallowDialEveryStackService,
    requireNamedDialersForSensitiveServices,
    requireExplicitBindIdentities,
    disallowExposingAnnotationsAndLabels,
    disallowOpaqueInstallers,
    disallowUnknownCustomResources,
    disallowHostLevelCniAttachments,
    disallowHostLevelDockerNetworks,
    disallowForeignContainerNetwork,
    disallowBindAllIdentities,
    disallowBindAllServices,
};

/** Every policy of the pack, in the order of issue 4's rules 1-10 (issue 15's next to the rule they extend). */
export const rules: Policies = [
    disallowLoadBalancerService, // 1
    disallowNodePortService, // 2
    disallowServiceExternalIps, // 3
    disallowIngressAndGateway, // 4
    disallowExposingCustomResources, // 4 (other projects' exposure APIs, issue 15)
    disallowExposingAnnotationsAndLabels, // 4 (exposure by annotation or label, issue 23)
    disallowUnknownCustomResources, // 4 (unknown custom resources, strict profile, issue 23)
    disallowHostNetworkAndPorts, // 5 (pod specs by shape, issue 23; and 7: rendered objects, patches)
    disallowHostLevelCniAttachments, // 5 (host-level CNI attachments, issue 23)
    disallowDockerPublishedPorts, // 6
    disallowHostLevelDockerNetworks, // 6 (macvlan/ipvlan networks, issue 23)
    disallowForeignContainerNetwork, // 6 (container:<x> of another stack, issue 21)
    disallowOpaqueHelmRelease, // 7 (helm.v3.Release)
    disallowOpaqueInstallers, // 7 (in-cluster installers, issue 23)
    disallowServiceInDarkCluster, // 8
    requireZitiScrapeScheme, // 9
    disallowDialAllIdentities, // 10 (Dial)
    disallowDialAllServices, // 10 (Dial, service side, issue 15)
    disallowDialEveryStackService, // 10 (Dial, service side, stack, issue 15)
    requireNamedDialersForSensitiveServices, // 10 (Dial to sensitive services, stack, issue 15)
    disallowBindAllIdentities, // 10 (Bind #all identities, issue 23)
    disallowBindAllServices, // 10 (Bind #all services, issue 23)
    requireExplicitBindIdentities, // 10 (Bind)
];

/** Which of issue 4's rules each policy implements (for the README and its test). */
export const issueRule: { [policyName: string]: number[] } = {
    "disallow-loadbalancer-service": [1, 7],
    "disallow-nodeport-service": [2, 7],
    "disallow-service-external-ips": [3, 7],
    "disallow-ingress-and-gateway": [4, 7],
    "disallow-exposing-custom-resources": [4, 7],
    "disallow-host-network-and-ports": [5, 7],
    "disallow-docker-published-ports": [6],
    "disallow-opaque-helm-release": [7],
    "disallow-service-in-dark-cluster": [8],
    "require-ziti-scrape-scheme": [9],
    "disallow-dial-all-identities": [10],
    "disallow-dial-all-services": [10],
    "disallow-dial-every-stack-service": [10],
    "require-named-dialers-for-sensitive-services": [10],
    "require-explicit-bind-identities": [10],
    "disallow-exposing-annotations-and-labels": [4, 6],
    "disallow-unknown-custom-resources": [4],
    "disallow-host-level-cni-attachments": [5],
    "disallow-host-level-docker-networks": [6],
    "disallow-foreign-container-network": [6],
    "disallow-opaque-installers": [7],
    "disallow-bind-all-identities": [10],
    "disallow-bind-all-services": [10],
};

export { CouldNotBeCheckedError, UNKNOWN_STRING_SENTINEL } from "../lib/unknown";

// For tests and tools that call the rules the way the engine does (they resolve @pulumi/policy from here).
export type { PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
export { unknownCheckingProxy } from "@pulumi/policy";
