// reflectz: the zitified echo server of the PrometheuZ walkthrough. It binds its echo service and its
// metrics service with its own identity and opens no port at all.
//
// Contract, from the image's source nf-npieros/sdk-golang branch feature/reflect-prometheus
// (example/reflect/Dockerfile, main.go, cmd/server.go; linked as the reflectz source by openziti/ziti-doc
// docusaurus/blog/configuring-openziti-to-enable-prometheus.md) and openziti/helm-charts charts/reflect:
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IDENTITY_KEY } from "../../plan/kubernetes";
import { identitySecretVolume, restrictedContainerSecurityContext, restrictedPodSecurityContext, RunAs } from "./restricted";

export const REFLECTZ = {
    /** helm-charts charts/reflect/values.yaml `image.repository`. */
    image: "nfnpieros/reflect",
    /**
     * helm-charts charts/reflect/Chart.yaml `appVersion` (the chart's default tag). That 0.0.4 was built from
     * that branch's Dockerfile cannot be checked here (no registry); the chart sets the same env names.
     */
    tag: "0.0.4",
    /**
     * Dockerfile `USER $APP_USER` = appuser, made with `useradd --uid $USER_ID` and group `--gid $GROUP_ID`,
     * both `ARG ... =1000`. The image names its user, not a number, so the kubelet cannot check
     * runAsNonRoot against it: the pod must give 1000 explicitly.
     */
    runAs: { user: 1000, group: 1000 } as RunAs,
    env: {
        /** Dockerfile `ENV IDENTITY_FILE="/${APP_HOME}/reflect-server.json"`, passed as `--identity=${IDENTITY_FILE}` by its CMD. */
        identityFile: "IDENTITY_FILE",
        /** Dockerfile `ENV SERVICE_NAME="reflect"`, passed as `--serviceName`: the echo service it binds. */
        serviceName: "SERVICE_NAME",
        /** Dockerfile `ENV PROMETHEUS_SERVICE_NAME="metrics"`, passed as `-p`: the metrics service it binds (BindUsingEdgeIdentity). */
        prometheusServiceName: "PROMETHEUS_SERVICE_NAME",
    },
    /**
     * Dockerfile `VOLUME /identity` (its compose file mounts the identity there). The chart mounts the file
     * at /app/reflect-server.json instead, with subPath; the declared volume needs no subPath.
     */
    identityDir: "/identity",
    identityFileName: "reflect-server.json",
    /**
     * Listeners: none on the network. cmd/server.go listens only with the Ziti SDK (Listen on the echo
     * service, ListenWithOptions on the metrics service); the Dockerfile's `EXPOSE 8010` is never bound.
     */
    listeners: [] as string[],
    /**
     * Its CMD runs `./reflect` from WORKDIR /app through /bin/sh; the binary is built into the image and
     * the server code writes no file, so a read-only root filesystem should hold. Not verified by running
     * the image (no registry here).
     */
    readOnlyRootFilesystem: true,
    /** No probes: the chart sets none and nothing listens. */
} as const;

export const REFLECTZ_IMAGE = `${REFLECTZ.image}:${REFLECTZ.tag}`;

export interface ReflectzPodArgs {
    image?: pulumi.Input<string>;
    /** The Secret holding `<c>.reflect.id`'s identity under IDENTITY_KEY. */
    identitySecretName: pulumi.Input<string>;
    /** The echo service it binds, `<c>.reflect.svc`. */
    serviceName: pulumi.Input<string>;
    /** The metrics service it binds, `<c>.reflect.scrape.svc`. */
    scrapeServiceName: pulumi.Input<string>;
}

/** reflectz's pod: its identity at /identity/reflect-server.json (0440, group 1000), `restricted`, no token, no port. */
export function reflectzPodSpec(args: ReflectzPodArgs): k8s.types.input.core.v1.PodSpec {
    const e = REFLECTZ.env;
    return {
        automountServiceAccountToken: false,
        securityContext: restrictedPodSecurityContext(REFLECTZ.runAs),
        containers: [{
            name: "reflectz",
            image: args.image ?? REFLECTZ_IMAGE,
            env: [
                { name: e.identityFile, value: `${REFLECTZ.identityDir}/${REFLECTZ.identityFileName}` },
                { name: e.serviceName, value: args.serviceName },
                { name: e.prometheusServiceName, value: args.scrapeServiceName },
            ],
            securityContext: restrictedContainerSecurityContext({ readOnlyRootFilesystem: REFLECTZ.readOnlyRootFilesystem }),
            volumeMounts: [{ name: "ziti-identity", mountPath: REFLECTZ.identityDir, readOnly: true }],
        }],
        volumes: [identitySecretVolume("ziti-identity", args.identitySecretName, [{ key: IDENTITY_KEY, path: REFLECTZ.identityFileName }])],
    };
}
