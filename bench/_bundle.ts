/**
 * What a worker would ship: the bundle of some code (esbuild, platform
 * neutral, minified, ESM, worker/browser conditions) and its gzip size, so
 * that bench/size.ts (every public entry) and bench/metrics.ts (the encoder
 * against its peer) measure sizes the same way.
 */
import * as esbuild from "esbuild";

/** Bytes of `bytes` once gzipped (CompressionStream, as a worker's response would be). */
export async function gzipSize(bytes: Uint8Array): Promise<number> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

/** What to bundle: an entry file, or module text resolved from a folder. */
export type BundleInput = { readonly entry: string } | {
  readonly contents: string;
  readonly resolveDir: string;
};

/** `[minified bytes, gzip bytes]` of `input` bundled for a worker; `external` modules are left out. */
export async function bundledSize(
  input: BundleInput,
  external: string[] = [],
): Promise<[number, number]> {
  const result = await esbuild.build({
    ...("entry" in input ? { entryPoints: [input.entry] } : {
      stdin: {
        contents: input.contents,
        resolveDir: input.resolveDir,
        loader: "ts",
      },
    }),
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["worker", "browser"],
    external,
    write: false,
    logLevel: "silent",
  });
  const bytes = result.outputFiles[0]!.contents;
  return [bytes.byteLength, await gzipSize(bytes)];
}
