/**
 * The part of each `@aws-sdk/client-*` package that review/contracts/sdkModel.ts reads, kept as
 * JSON under `.build/sdk-models/` so a review does not load the whole client.
 *
 * The contract checks read two things from a client module: each operation's schema
 * (`<Operation>$`: `[9, namespace, name, traits, () => inputSchema, …]`, whose input is a graph of
 * plain arrays, numbers, strings, trait objects and functions returning other schemas) and the
 * enums it exports (objects of string values). Loading a client to get them compiles and runs all
 * of it: `@aws-sdk/client-ec2` alone is 2.1 MB of JavaScript, ~0.3 s of a review's CPU, and its
 * input schemas are 0.35 MB of JSON. `extractModel` walks every operation's input graph once and
 * writes it with every enum; `loadModel` rebuilds the same graph (each array once, shared where the
 * client shares it, each function reference a function returning the rebuilt schema) into an
 * object with the same `<Operation>$` and enum properties, which sdkModel.ts reads exactly as it
 * reads the client (output schemas are left out: nothing reads them).
 *
 * Kept per package, keyed by the SHA-256 of the installed client's package.json (its version and
 * its dependencies' ranges) and {@link FORMAT}: `npm ci` writes them (`prepare`: scripts/run.js
 * --build); a missing or stale file makes the caller load the client and rewrite the file.
 * tests/sdkModelCache.test.ts checks that the rebuilt graph of every operation of every client is
 * the client's own, and that the review's requests get the same verdicts from both.
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

/** Version of the file format (bump on any change to the encoding). */
const FORMAT = 1;
const ROOT = path.resolve(__dirname, "..");

function sha256(data) {
    return crypto.createHash("sha256").update(data).digest("hex");
}

/** The `@aws-sdk/client-*` packages the project depends on (package.json, both kinds of dependencies). */
function clientPackages(root = ROOT) {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    return Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
        .filter((n) => n.startsWith("@aws-sdk/client-"))
        .sort();
}

/** What sdkModel.ts takes for an enum: an object of one or more string values. */
function isEnum(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value) && Object.values(value).length > 0 && Object.values(value).every((v) => typeof v === "string");
}

/** The cache key of an installed client: the SHA-256 of its package.json with the format. */
function packageKey(pkg, root = ROOT) {
    const file = require.resolve(`${pkg}/package.json`, { paths: [root] });
    return sha256(`${FORMAT}\n${fs.readFileSync(file)}`);
}

function modelFile(pkg, root = ROOT) {
    return path.join(root, ".build", "sdk-models", `${pkg.replace("/", "+")}.json`);
}

/**
 * The operations' schemas (without their output) and the enums of a loaded client module, as
 * JSON: `schemas` lists every array once; an element is a number, string, boolean or null as is,
 * `{ a: i }` for the array `schemas[i]`, `{ f: x }` for a function returning the encoded `x`, and
 * `{ o: {…} }` for a plain object of encoded values.
 */
function extractModel(mod) {
    const ids = new Map();
    const schemas = [];
    const encode = (v) => {
        if (v === null || typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
        if (typeof v === "function") return { f: encode(v()) };
        if (Array.isArray(v)) return { a: arrayId(v) };
        if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) return { o: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)])) };
        throw new Error(`scripts/sdk-models.js: cannot encode a ${typeof v} in a schema`);
    };
    const arrayId = (arr) => {
        let id = ids.get(arr);
        if (id === undefined) {
            id = schemas.length;
            ids.set(arr, id);
            schemas.push(null);
            schemas[id] = arr.map(encode);
        }
        return id;
    };
    const operations = {};
    const enums = {};
    for (const name of Object.keys(mod).sort()) {
        const value = mod[name];
        if (name.endsWith("$") && Array.isArray(value) && value[0] === 9) operations[name] = value.slice(0, 5).map(encode);
        else if (isEnum(value)) enums[name] = value;
    }
    return { operations, enums, schemas };
}

/** The object {@link extractModel} describes: `<Operation>$` arrays and enums, as the client exports them. */
function rebuildModel(model) {
    const arrays = model.schemas.map(() => []);
    const decode = (v) => {
        if (v === null || typeof v !== "object") return v;
        if ("a" in v) return arrays[v.a];
        if ("f" in v) {
            const target = decode(v.f);
            return () => target;
        }
        return Object.fromEntries(Object.entries(v.o).map(([k, x]) => [k, decode(x)]));
    };
    model.schemas.forEach((s, i) => arrays[i].push(...s.map(decode)));
    const mod = { ...model.enums };
    for (const [name, op] of Object.entries(model.operations)) mod[name] = op.map(decode);
    return mod;
}

function writeAtomic(file, data) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
}

/** Extracts `pkg`'s model from the loaded client `mod` and keeps it. */
function saveModel(pkg, mod, root = ROOT) {
    writeAtomic(modelFile(pkg, root), JSON.stringify({ package: pkg, key: packageKey(pkg, root), ...extractModel(mod) }));
}

/** The kept model of `pkg` when it matches the installed client, else undefined. */
function loadModel(pkg, root = ROOT) {
    let model;
    try {
        model = JSON.parse(fs.readFileSync(modelFile(pkg, root), "utf8"));
        if (model.package !== pkg || model.key !== packageKey(pkg, root)) return undefined;
    } catch {
        return undefined; // not kept yet, unreadable, or the client is not installed
    }
    return rebuildModel(model);
}

/** Writes the model of every client whose kept one is missing or stale (`prepare`). Returns the packages written. */
function buildModels(root = ROOT) {
    const written = [];
    for (const pkg of clientPackages(root)) {
        let fresh = false;
        try {
            const kept = JSON.parse(fs.readFileSync(modelFile(pkg, root), "utf8"));
            fresh = kept.package === pkg && kept.key === packageKey(pkg, root);
        } catch {
            // missing or unreadable: write it
        }
        if (fresh) continue;
        saveModel(pkg, require(require.resolve(pkg, { paths: [root] })), root);
        written.push(pkg);
    }
    return written;
}

module.exports = { FORMAT, clientPackages, extractModel, rebuildModel, loadModel, saveModel, buildModels, modelFile, packageKey };
