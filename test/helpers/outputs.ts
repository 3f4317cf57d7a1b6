// Awaiting Pulumi outputs in tests: resolves with the value, rejects with the error thrown inside an apply.
import * as pulumi from "@pulumi/pulumi";

export function valueOf<T>(o: pulumi.Input<T> | undefined): Promise<T> {
    if (o === undefined) return Promise.reject(new Error("output is undefined"));
    // Output.promise() is how the SDK itself awaits outputs; it rejects when an apply threw.
    return (pulumi.output(o) as unknown as { promise(): Promise<T> }).promise();
}
