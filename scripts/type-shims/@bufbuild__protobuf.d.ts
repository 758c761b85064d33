/**
 * Published in place of the `@bufbuild/protobuf` types (scripts/build.ts): the mock agent's npm
 * build bundles the decoder, so users do not install it; these declare the types its declarations name.
 */
/** A JSON value (as in `@bufbuild/protobuf`). */
export type JsonValue = number | string | boolean | null | JsonObject | JsonValue[];
/** A JSON object (as in `@bufbuild/protobuf`). */
export type JsonObject = { [key: string]: JsonValue };
/** A protobuf message descriptor (opaque here). */
export interface DescMessage {
  readonly kind: "message";
  readonly typeName: string;
}
