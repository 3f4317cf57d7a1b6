// Compatibility for Pulumi state written before the Ziti provider moved to provider/ (the reshape, issue 25).
// A Ziti resource's state carries the loader it was created with (provider/remote.ts), and `refresh`/`destroy`
// run that old loader, which looks for components/ziti/load.js in the project folder. This file hands it the
// provider from its new place. Remove it once no stack holds a Ziti resource created before the move.
"use strict";
module.exports = require("../../provider/load.js");
