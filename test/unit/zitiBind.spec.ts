// The local network's listen addresses (scripts/lib/zitiBind.ts): the wildcard listeners that ziti v1.7.2's
// quickstart writes into ctrl.yaml and the router's config, moved to 127.0.0.1, and nothing else.
import * as assert from "assert";
import { bindConfigToLoopback } from "../../scripts/lib/zitiBind";

// Excerpts of the files `ziti edge quickstart` v1.7.2 wrote into a home here (ctrl.yaml, router-quickstart.yaml).
const CTRL = `ctrl:
  options:
    advertiseAddress: tls:vm:1280
  listener:             tls:0.0.0.0:1280
edge:
  api:
    address: vm:1280
web:
  - name: client-management
    bindPoints:
      # A host:port string on which network interface to listen on. 0.0.0.0 will listen on all interfaces
      - interface: 0.0.0.0:1280
        address: vm:1280
`;
const ROUTER = `ctrl:
  endpoint:             tls:vm:1280
link:
  listeners:
    - binding:          transport
      bind:             tls:0.0.0.0:3022
      advertise:        tls:vm:3022
listeners:
  - binding: edge
    address: tls:0.0.0.0:3022
    options:
      advertise: vm:3022
`;

describe("local network: controller and router listen on 127.0.0.1 only", () => {
    it("moves the controller's ctrl listener and web bind point, leaving advertised addresses and comments", () => {
        const out = bindConfigToLoopback(CTRL);
        assert.match(out, /^ {2}listener: +tls:127\.0\.0\.1:1280$/m);
        assert.match(out, /^ {6}- interface: 127\.0\.0\.1:1280$/m);
        assert.match(out, /advertiseAddress: tls:vm:1280/);
        assert.match(out, /address: vm:1280/);
        assert.match(out, /0\.0\.0\.0 will listen on all interfaces/, "the comment stays");
        assert.strictEqual(out.split("\n").filter((l) => /0\.0\.0\.0/.test(l) && !l.trim().startsWith("#")).length, 0);
    });

    it("moves the router's link and edge listeners; a second pass changes nothing", () => {
        const out = bindConfigToLoopback(ROUTER);
        assert.match(out, /bind: +tls:127\.0\.0\.1:3022/);
        assert.match(out, /address: tls:127\.0\.0\.1:3022/);
        assert.match(out, /endpoint: +tls:vm:1280/);
        assert.strictEqual(bindConfigToLoopback(out), out);
    });
});
