import { describe, expect, test } from "bun:test";
import { sha256Hex, Sha256HexCache, sha256HexSync, sha256WordsHex, sha256WordsSync, toHex } from "../../src/core/sha256.ts";
import { spanEnrichmentVectors } from "../support/data.ts";

describe("Sha256HexCache", () => {
  test("gives the same digests as sha256Hex (the shared subject vectors)", async () => {
    const cache = new Sha256HexCache();
    for (const { key, sha256 } of spanEnrichmentVectors().subjectHashes) {
      expect(await cache.hex(key)).toBe(sha256);
      expect(cache.peek(key)).toBe(sha256);
      expect(await cache.hex(key)).toBe(await sha256Hex(key));
    }
  });

  test("remembers at most `capacity` texts, forgetting the oldest first", async () => {
    const cache = new Sha256HexCache(3);
    for (const k of ["a", "b", "c", "d"]) await cache.hex(k);
    expect(cache.size).toBe(3);
    expect(cache.peek("a")).toBeUndefined();
    expect(cache.peek("d")).toBe(await sha256Hex("d"));
    for (let i = 0; i < 1_000; i++) await cache.hex(`k${i}`);
    expect(cache.size).toBe(3);
  });

  test("capacity 0 (or nonsense) remembers nothing and still hashes", async () => {
    for (const capacity of [0, -1, Number.NaN]) {
      const cache = new Sha256HexCache(capacity);
      expect(await cache.hex("alice")).toBe("2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90");
      expect(cache.size).toBe(0);
    }
  });
});

/** The reference: Web Crypto's digest of the same bytes. */
async function subtleHex(bytes: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)));
}

describe("sha256HexSync", () => {
  test("agrees with crypto.subtle on random bytes of every length across the block boundaries", async () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      expect(sha256HexSync(bytes)).toBe(await subtleHex(bytes));
    }
    const large = crypto.getRandomValues(new Uint8Array(40_000)); // past the kept scratch
    expect(sha256HexSync(large)).toBe(await subtleHex(large));
  });

  test("agrees with crypto.subtle on random text, ASCII and not (UTF-8 bytes are hashed)", async () => {
    const alphabet = ["a", "Z", "0", "-", "é", "日", "😀", "\u0000", "\u007f", "\u0080", "\u07ff", "\u0800", "\uffff"];
    const encoder = new TextEncoder();
    for (let i = 0; i < 500; i++) {
      const length = Math.floor(Math.random() * 90);
      let text = "";
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(Math.random() * alphabet.length)];
      expect(sha256HexSync(text)).toBe(await subtleHex(encoder.encode(text)));
      expect(await sha256Hex(text)).toBe(sha256HexSync(text));
    }
    const long = "subject-".repeat(2_000); // sha256Hex hands it to crypto.subtle
    expect(await sha256Hex(long)).toBe(await subtleHex(encoder.encode(long)));
    expect(sha256HexSync(long)).toBe(await sha256Hex(long));
  });

  test('the known digest of "alice" and of the empty text', () => {
    expect(sha256HexSync("alice")).toBe("2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90");
    expect(sha256HexSync("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
});

describe("Sha256HexCache.hexSync", () => {
  test("gives the digests hex() gives and remembers them", async () => {
    const cache = new Sha256HexCache(2);
    for (const { key, sha256 } of spanEnrichmentVectors().subjectHashes) {
      expect(cache.hexSync(key)).toBe(sha256);
      expect(cache.peek(key)).toBe(sha256);
      expect(await cache.hex(key)).toBe(sha256);
    }
    expect(cache.size).toBeLessThanOrEqual(2);
  });
});

describe("sha256WordsSync / sha256WordsHex", () => {
  test("the words are the big-endian digest crypto.subtle gives", async () => {
    for (let length = 0; length < 130; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      const words = sha256WordsSync(bytes);
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
      const view = new DataView(digest.buffer);
      for (let i = 0; i < 8; i++) expect(words[i]).toBe(view.getInt32(i * 4));
      expect(sha256WordsHex(words)).toBe(toHex(digest));
    }
  });

  test("Sha256HexCache.wordsSync remembers the words hexSync and peek render", () => {
    const cache = new Sha256HexCache(4);
    const words = cache.wordsSync("alice");
    expect(cache.wordsSync("alice")).toBe(words); // remembered, not recomputed
    expect(cache.peek("alice")).toBe("2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90");
    expect(cache.hexSync("alice")).toBe(sha256WordsHex(words));
  });

  test("Sha256HexCache.hex of a text past the synchronous limit remembers it too", async () => {
    const cache = new Sha256HexCache(4);
    const long = "k".repeat(5_000);
    const hex = await cache.hex(long);
    expect(hex).toBe(await sha256Hex(long));
    expect(cache.peek(long)).toBe(hex);
    expect(sha256WordsHex(cache.wordsSync(long))).toBe(hex);
  });
});

describe("span-enrichment vectors: subject hashes", () => {
  const vectors = spanEnrichmentVectors();
  test("the vector file has subject-hash cases", () => {
    expect(vectors.subjectHashes.length).toBeGreaterThan(2);
  });
  for (const v of vectors.subjectHashes) {
    test(`sha256Hex(${JSON.stringify(v.key)})`, async () => {
      expect(await sha256Hex(v.key)).toBe(v.sha256);
    });
  }
});

describe("sha256Hex", () => {
  test("empty string and bytes input", async () => {
    expect(await sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(await sha256Hex(new TextEncoder().encode("alice"))).toBe(
      spanEnrichmentVectors().subjectHashes.find((v) => v.key === "alice")!.sha256,
    );
  });
});
