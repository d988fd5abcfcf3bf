/**
 * `npm run policy:bundle`: writes a self-contained copy of the policy pack to `policies/dist/`
 * for `pulumi policy publish` (the pack imports shared code from `core/`, outside its folder).
 * The bundle keeps @pulumi/* as dependencies; everything else is inlined.
 */
import * as esbuild from "esbuild";
import * as fs from "fs";
import * as path from "path";

export function bundlePolicyPack(root = path.resolve(__dirname, ".."), outDir = path.join(root, "policies", "dist")): string {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "policies", "package.json"), "utf8"));
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    esbuild.buildSync({
        entryPoints: [path.join(root, "policies", "index.ts")],
        outfile: path.join(outDir, "index.js"),
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        external: ["@pulumi/*"],
        logLevel: "silent",
    });
    fs.copyFileSync(path.join(root, "policies", "PulumiPolicy.yaml"), path.join(outDir, "PulumiPolicy.yaml"));
    fs.writeFileSync(path.join(outDir, "package.json"), JSON.stringify({ name: pkg.name, version: pkg.version, description: pkg.description, main: "index.js", license: pkg.license, dependencies: pkg.dependencies }, null, 2) + "\n");
    return outDir;
}

if (require.main === module) {
    process.stdout.write(`policy pack bundled to ${bundlePolicyPack()}\n`);
}
