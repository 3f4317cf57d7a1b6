// The admin's `ziti tunnel proxy` listens where the API service's proxy.v1 config says (issue 22, finding 7):
// the wrapper starts it only when that is a loopback address, and uses the config's port (the real tunnel:
// tier apiziti, "an admin's tunnel listens on 127.0.0.1 only").
import * as assert from "assert";
import { ApiTunnelError, loopbackPort } from "../../scripts/lib/zitiTunnel";

const spec = { cluster: "kubeB", service: "kubeB.k8s.svc", identityFile: "ops.json" };
const refused = (reason: string, text: RegExp) => (e: unknown) => e instanceof ApiTunnelError && e.reason === reason && text.test(e.message);

describe("api tunnel: loopback only", function () {
    it("uses the port of the service's proxy.v1 config on 127.0.0.1", function () {
        assert.strictEqual(loopbackPort(spec, { binding: "127.0.0.1", port: 26212, protocols: ["tcp"] }), 26212);
        assert.strictEqual(loopbackPort({ ...spec, localPort: 26212 }, { binding: "127.0.0.1", port: 26212 }), 26212);
    });

    it("refuses a service without proxy.v1: the proxy would listen on 0.0.0.0", function () {
        assert.throws(() => loopbackPort(spec, undefined), refused("not-loopback", /"kubeB\.k8s\.svc" has no proxy\.v1 config.*0\.0\.0\.0.*pulumi up/));
    });

    it("refuses a binding that is not a loopback address", function () {
        for (const binding of [undefined, "0.0.0.0", "eth0", "192.168.1.5", "localhost.example.com"]) {
            assert.throws(() => loopbackPort(spec, { binding, port: 26212 }), refused("not-loopback", /not a loopback address/), String(binding));
        }
    });

    it("refuses a configured localPort the service does not listen on, naming the right one", function () {
        assert.throws(() => loopbackPort({ ...spec, localPort: 16443 }, { binding: "127.0.0.1", port: 26212 }),
            refused("port-mismatch", /localPort is 16443.*set localPort to 26212, or remove it/));
    });
});
