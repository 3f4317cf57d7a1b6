// The `article` flavor: the zitified images of the published walkthrough (prometheuz, configmap-reloadz, reflectz,
// ziti-host, plain configmap-reload). Prometheus speaks Ziti itself (`scheme: ziti` jobs, a Ziti listener in dark
// places); a hybrid place's Prometheus listens on the underlay behind the ziti-host tunneler.
import { CONFIGMAP_RELOAD_IMAGE } from "./configmapReload";
import { CONFIGMAP_RELOADZ_IMAGE } from "./configmapReloadz";
import { dockerPrometheusContainerArgs, PROMETHEUS_IMAGE } from "./prometheus";
import { REFLECTZ_IMAGE } from "./reflectz";
import { ZITI_HOST_IMAGE } from "./zitiHost";
import { centralPrometheusConfig, clusterPrometheusConfig } from "./prometheusConfig";
import type { Flavor } from "../types";
import { articleCentralKubernetes, articleClusterWorkloads } from "./workloads";
import { articleClusterTargets, centralZitiEntities, clusterZitiEntities } from "./ziti";

/** The article flavor's images, tag-pinned from each image's module (sources named there). */
export const ARTICLE_IMAGES = {
    prometheus: PROMETHEUS_IMAGE,
    configmapReload: CONFIGMAP_RELOAD_IMAGE,
    zitiConfigmapReload: CONFIGMAP_RELOADZ_IMAGE,
    reflectz: REFLECTZ_IMAGE,
    tunneler: ZITI_HOST_IMAGE,
};

export const article: Flavor = {
    name: "article",
    description: "the article's zitified images: prometheuz, configmap-reloadz, reflectz, ziti-host",
    images: ARTICLE_IMAGES,
    collection: {
        default: "federate", supported: ["federate"],
        // Not verified against the fork's source (not available here); the flag's history is prometheus/prometheus CHANGELOG.md 2.33.0 (#10119).
        why: "its prometheuz (a 2022 fork of Prometheus 2.32) reaches Ziti only through `scheme: ziti` scrape jobs and its Ziti listener; " +
            "nothing shows its remote_write client dialing a Ziti service, and `--web.enable-remote-write-receiver` came in Prometheus 2.33.",
    },
    zitiEntities: place => (place.kind === "central" ? centralZitiEntities(place) : clusterZitiEntities(place)),
    clusterTargets: articleClusterTargets,
    clusterPrometheusConfig: place => clusterPrometheusConfig({
        clusterName: place.name, reflectzScrapeTarget: articleClusterTargets(place).reflectzScrapeTarget, scrapeInterval: place.scrapeInterval,
    }),
    centralPrometheusConfig: (place, clusters) => centralPrometheusConfig({
        centralName: place.name, clusters, federationMatch: place.federationMatch, scrapeInterval: place.scrapeInterval,
    }),
    clusterWorkloads: articleClusterWorkloads,
    centralKubernetes: articleCentralKubernetes,
    centralDocker: (place, config, ids) => ({
        resourceName: `${place.resourcePrefix}-prometheus`,
        args: dockerPrometheusContainerArgs({
            name: `${place.name}-prometheus`, image: place.images.prometheus, config, identityJson: ids[`${place.name}.prometheus.id`],
            serviceName: `${place.name}.prometheus.svc`, identityName: `${place.name}.prometheus.id`,
        }),
    }),
};
