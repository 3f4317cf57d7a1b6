// The local OpenZiti network of `npm start` runs in the ROOT network namespace, whose default route leaves the
// machine: its controller and router must listen on loopback only. `ziti edge quickstart` v1.7.2 listens on 0.0.0.0
// unless told otherwise, and only the controller can be told:
//   - controller: `ziti create config controller` (called in-process by quickstart.go) reads ZITI_CTRL_BIND_ADDRESS
//     for `ctrl.listener` and ZITI_CTRL_EDGE_BIND_ADDRESS for the web bind point's `interface` (openziti/ziti v1.7.2
//     ziti/cmd/helpers/env_helpers.go GetCtrlBindAddress / GetCtrlEdgeBindAddress, default 0.0.0.0 in
//     ziti/constants/constants.go; used in ziti/cmd/create/create_config.go, config_templates/controller.yml);
//   - router: config_templates/router.yml writes `tls:0.0.0.0:<port>` literally for the edge listener's `address`
//     and the link listener's `bind` (no variable, in v1.7.2 as on main), and quickstart.go runs the router right
//     after generating it. So the router's file is rewritten here, and a new network is restarted once.
// Quickstart generates both files only for a new home (when not AlreadyInitialized); later starts read them as they
// are, so a rewrite holds. Pods still reach both: scripts/lib/node/zitiReach.ts relays to 127.0.0.1:<port>.
import * as dns from "dns";
import * as fs from "fs";
import * as path from "path";

/** The environment that makes a new controller config listen on 127.0.0.1 (see the header). */
export const LOOPBACK_CONTROLLER_ENV = { ZITI_CTRL_BIND_ADDRESS: "127.0.0.1", ZITI_CTRL_EDGE_BIND_ADDRESS: "127.0.0.1" } as const;

/** A controller or router config with every wildcard listen address (`tls:0.0.0.0:`, `interface: 0.0.0.0:`) on 127.0.0.1. */
export function bindConfigToLoopback(yaml: string): string {
    return yaml
        .replace(/^(\s*(?:listener|address|bind):\s*(?:tls|wss):)0\.0\.0\.0:/gm, "$1127.0.0.1:")
        .replace(/^(\s*-?\s*interface:\s*)0\.0\.0\.0:/gm, "$1127.0.0.1:");
}

/** The quickstart's controller and router configs in `home` (ctrl.yaml, <router>.yaml). */
export function quickstartConfigs(home: string): string[] {
    if (!fs.existsSync(home)) return [];
    return fs.readdirSync(home).filter((f) => f === "ctrl.yaml" || /^router-.*\.yaml$/.test(f)).map((f) => path.join(home, f));
}

/** Rewrites the configs of `home` to listen on loopback; returns the files it changed. */
export function bindHomeToLoopback(home: string): string[] {
    const changed: string[] = [];
    for (const f of quickstartConfigs(home)) {
        const before = fs.readFileSync(f, "utf8");
        const after = bindConfigToLoopback(before);
        if (after !== before) {
            fs.writeFileSync(f, after);
            changed.push(f);
        }
    }
    return changed;
}

/** Whether `host` is 127.0.0.1 or resolves to it only (clients dial what is advertised: it must be what is bound). */
export async function resolvesTo127(host: string): Promise<boolean> {
    if (host === "127.0.0.1") return true;
    const addrs = await dns.promises.lookup(host, { all: true }).catch(() => []);
    return addrs.length > 0 && addrs.every((a) => a.address === "127.0.0.1");
}
