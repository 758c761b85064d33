import { describe, expect, test } from "bun:test";
import { isWellFormedText, utf8ByteLength, writeUtf8 } from "../../src/core/text.ts";

const encoder = new TextEncoder();

describe("isWellFormedText", () => {
  test("accepts ASCII, BMP and astral text", () => {
    for (const s of ["", "abc", "héllo-wörld-☃-日本語-Ω", "😀", "a😀b😀"]) expect(isWellFormedText(s)).toBe(true);
  });
  test("rejects lone high and low surrogates anywhere", () => {
    for (const s of ["\ud83d", "a\ud83d", "\ud83da", "\ude00", "a\ude00b", "😀\ud83d", "\ude00\ud83d"]) {
      expect(isWellFormedText(s)).toBe(false);
    }
  });
  test("without the runtime's String.prototype.isWellFormed, the portable scan gives the same answers", () => {
    const proto = String.prototype as { isWellFormed?: () => boolean };
    const descriptor = Object.getOwnPropertyDescriptor(proto, "isWellFormed");
    const cases = ["", "abc", "😀", "a😀b", "\ud83d", "a\ud83d", "\ude00", "😀\ud83d", "\ude00\ud83d", "x\ud800\udc00y"];
    const expected = cases.map((s) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s));
    delete proto.isWellFormed;
    try {
      expect(cases.map(isWellFormedText)).toEqual(expected);
    } finally {
      if (descriptor !== undefined) Object.defineProperty(proto, "isWellFormed", descriptor);
    }
    expect(cases.map(isWellFormedText)).toEqual(expected);
  });
  test("agrees with String.prototype.isWellFormed where the runtime has it", () => {
    const native = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;
    if (native === undefined) return;
    for (let c = 0xd7f0; c < 0xe010; c += 7) {
      for (const s of [String.fromCharCode(c), `x${String.fromCharCode(c)}\ude00`, `${String.fromCharCode(c)}\ud800`]) {
        expect(isWellFormedText(s)).toBe(native.call(s));
      }
    }
  });
});

describe("utf8ByteLength", () => {
  test("equals TextEncoder's output length, lone surrogates included", () => {
    for (
      const s of [
        "",
        "abc",
        "tab\there",
        "é",
        "☃",
        "😀",
        "héllo-wörld-☃-日本語-Ω",
        "Zoë — 日本",
        "\ud83d",
        "a\ude00",
        "\udc00b",
        "\ud83d\ud83d\ude00",
        "\u0001\u007f\u0080\u07ff\u0800\uffff",
      ]
    ) {
      expect(utf8ByteLength(s)).toBe(encoder.encode(s).byteLength);
    }
  });
});

describe("writeUtf8", () => {
  test("equals TextEncoder on ASCII, 2-, 3- and 4-byte characters and lone surrogates, and returns the end offset", () => {
    for (const s of ["", "abc", "é", "日本語", "😀", "a😀b€", "\ud800", "x\udc00y", "\ud83d", "ü".repeat(300)]) {
      const buf = new Uint8Array(3 * s.length + 4);
      const end = writeUtf8(buf, 2, s);
      expect(buf.subarray(2, end)).toEqual(new TextEncoder().encode(s));
      expect(end - 2).toBe(utf8ByteLength(s));
    }
  });
  test("utf8ByteLength and writeUtf8 agree with TextEncoder on a sweep of code points and lone surrogates", () => {
    const samples = [
      "",
      "ascii",
      "é",
      "€",
      "日本語",
      "🚀",
      "a🚀b",
      "\ud800",
      "\udc00",
      "\ud800\ud800",
      "x\udbff",
      "\u0000\u007f\u0080\u07ff\u0800\uffff",
    ];
    // Plus every code unit boundary mixed with pairs.
    let mixed = "";
    for (let c = 0; c < 0x11000; c += 97) mixed += String.fromCodePoint(c);
    samples.push(mixed);
    for (const s of samples) {
      const expected = encoder.encode(s);
      expect(utf8ByteLength(s)).toBe(expected.length);
      const buf = new Uint8Array(expected.length);
      expect(writeUtf8(buf, 0, s)).toBe(expected.length);
      expect(buf).toEqual(expected);
    }
  });
});
