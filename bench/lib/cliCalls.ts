// bench/baseline-cli.sh's calls for a list of planned entities: the walkthrough way, one `ziti edge create ...` per
// entity in plan order, and `ziti edge enroll` right after each identity the provider enrolls. Written as a bash
// file of function calls (`create ...`, `enroll <name>`) that the script sources, so the timed run spends nothing on
// parsing. Flags are those of `ziti edge create` in OpenZiti v1.7.2 (openziti/ziti ziti/cmd/edge/create_*.go); the
// CLI has no identity type flag there, so every identity is of type Default (the provider makes clients `User`):
// the request count is the same.
import type { PlainEntity } from "../../test/helpers/planEntities";

/** Single-quoted for bash. */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const roles = (rs: string[]) => q(rs.join(","));

/** One line per call; `$work` is the script's work directory. */
export function cliCalls(es: PlainEntity[]): string {
    const lines: string[] = [];
    for (const e of es) {
        switch (e.kind) {
            case "Identity": {
                const attrs = e.roleAttributes?.length ? ` -a ${roles(e.roleAttributes)}` : "";
                lines.push(`create identity ${q(e.name)}${attrs} -o "$work/ids/"${q(e.name + ".jwt")}`);
                if (e.enroll !== false) lines.push(`enroll ${q(e.name)}`);
                break;
            }
            case "Config":
                lines.push(`create config ${q(e.name)} ${q(e.configType)} ${q(JSON.stringify(e.data))}`);
                break;
            case "Service":
                lines.push(`create service ${q(e.name)} --configs ${roles(e.configs)}`);
                break;
            case "ServicePolicy":
                lines.push(`create service-policy ${q(e.name)} ${e.type} --semantic ${e.semantic} --service-roles ${roles(e.serviceRoles)} --identity-roles ${roles(e.identityRoles as string[])}`);
                break;
            case "EdgeRouterPolicy":
                lines.push(`create edge-router-policy ${q(e.name)} --semantic ${e.semantic} --edge-router-roles ${roles(e.edgeRouterRoles as string[])} --identity-roles ${roles(e.identityRoles as string[])}`);
                break;
            case "ServiceEdgeRouterPolicy":
                lines.push(`create service-edge-router-policy ${q(e.name)} --semantic ${e.semantic} --edge-router-roles ${roles(e.edgeRouterRoles as string[])} --service-roles ${roles(e.serviceRoles)}`);
                break;
        }
    }
    return lines.join("\n") + "\n";
}
