/**
 * Unicode property names as Rust's `regex` reads them, resolved to the
 * spelling JavaScript's `\p{…}` accepts.
 *
 * Rust matches property names loosely (UAX #44 LM3: case, spaces, `_` and
 * `-` are ignored, an `is` prefix is dropped) and looks a bare name up as a
 * binary property, then a general category, then a script; JavaScript only
 * accepts exact canonical spellings and needs `sc=` for scripts. So each
 * name is normalized and looked up in the canonical names below (built on
 * first use, never at import); short aliases (`Lu`, `Grek`, `Alpha`) are
 * tried by capitalization. Properties of strings (`RGI_Emoji`, …), which
 * Rust does not have, can never be produced.
 *
 * @module
 */

const GENERAL_CATEGORIES = "Other Control cntrl Format Unassigned Private_Use Surrogate Letter Cased_Letter Lowercase_Letter " +
  "Modifier_Letter Other_Letter Titlecase_Letter Uppercase_Letter Mark Combining_Mark Spacing_Mark Enclosing_Mark Nonspacing_Mark " +
  "Number Decimal_Number digit Letter_Number Other_Number Punctuation punct Connector_Punctuation Dash_Punctuation " +
  "Close_Punctuation Final_Punctuation Initial_Punctuation Other_Punctuation Open_Punctuation Symbol Currency_Symbol " +
  "Modifier_Symbol Math_Symbol Other_Symbol Separator Line_Separator Paragraph_Separator Space_Separator LC";

const SCRIPTS = "Adlam Caucasian_Albanian Ahom Arabic Imperial_Aramaic Armenian Avestan Balinese Bamum Bassa_Vah Batak Bengali " +
  "Bhaiksuki Bopomofo Brahmi Braille Buginese Buhid Chakma Canadian_Aboriginal Carian Cham Cherokee Chorasmian Coptic " +
  "Cypro_Minoan Cypriot Cyrillic Devanagari Dives_Akuru Dogra Deseret Duployan Egyptian_Hieroglyphs Elbasan Elymaic Ethiopic " +
  "Garay Georgian Glagolitic Gunjala_Gondi Masaram_Gondi Gothic Grantha Greek Gujarati Gurung_Khema Gurmukhi Hangul Han " +
  "Hanunoo Hatran Hebrew Hiragana Anatolian_Hieroglyphs Pahawh_Hmong Nyiakeng_Puachue_Hmong Katakana_Or_Hiragana " +
  "Old_Hungarian Old_Italic Javanese Kayah_Li Katakana Kawi Kharoshthi Khmer Khojki Khitan_Small_Script Kannada Kirat_Rai " +
  "Kaithi Tai_Tham Lao Latin Lepcha Limbu Linear_A Linear_B Lisu Lycian Lydian Mahajani Makasar Mandaic Manichaean Marchen " +
  "Medefaidrin Mende_Kikakui Meroitic_Cursive Meroitic_Hieroglyphs Malayalam Modi Mongolian Mro Meetei_Mayek Multani Myanmar " +
  "Nag_Mundari Nandinagari Old_North_Arabian Nabataean Newa Nko Nushu Ogham Ol_Chiki Ol_Onal Old_Turkic Oriya Osage Osmanya " +
  "Old_Uyghur Palmyrene Pau_Cin_Hau Old_Permic Phags_Pa Inscriptional_Pahlavi Psalter_Pahlavi Phoenician Miao " +
  "Inscriptional_Parthian Rejang Hanifi_Rohingya Runic Samaritan Old_South_Arabian Saurashtra SignWriting Shavian Sharada " +
  "Siddham Khudawadi Sinhala Sogdian Old_Sogdian Sora_Sompeng Soyombo Sundanese Sunuwar Syloti_Nagri Syriac Tagbanwa Takri " +
  "Tai_Le New_Tai_Lue Tamil Tangut Tangsa Tai_Viet Telugu Tifinagh Tagalog Thaana Thai Tibetan Tirhuta Todhri Toto " +
  "Tulu_Tigalari Ugaritic Vai Vithkuqi Warang_Citi Wancho Old_Persian Cuneiform Yezidi Yi Zanabazar_Square Inherited Common " +
  "Unknown";

const BINARY_PROPERTIES = "ASCII ASCII_Hex_Digit Alphabetic Any Assigned Bidi_Control Bidi_Mirrored Case_Ignorable Cased " +
  "Changes_When_Casefolded Changes_When_Casemapped Changes_When_Lowercased Changes_When_NFKC_Casefolded " +
  "Changes_When_Titlecased Changes_When_Uppercased Dash Default_Ignorable_Code_Point Deprecated Diacritic Emoji " +
  "Emoji_Component Emoji_Modifier Emoji_Modifier_Base Emoji_Presentation Extended_Pictographic Extender Grapheme_Base " +
  "Grapheme_Extend Hex_Digit IDS_Binary_Operator IDS_Trinary_Operator ID_Continue ID_Start Ideographic Join_Control " +
  "Logical_Order_Exception Lowercase Math Noncharacter_Code_Point Pattern_Syntax Pattern_White_Space Quotation_Mark Radical " +
  "Regional_Indicator Sentence_Terminal Soft_Dotted Terminal_Punctuation Unified_Ideograph Uppercase Variation_Selector " +
  "White_Space XID_Continue XID_Start";

type Kind = "binary" | "gc" | "script";

let tables: Record<Kind, Map<string, string>> | undefined;

function table(names: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const name of names.split(" ")) map.set(looseName(name), name);
  return map;
}

/**
 * UAX #44 LM3 as Rust's `symbolic_name_normalize` applies it: ASCII case,
 * spaces, `_` and `-` ignored, a leading `is` dropped (`isc` stays).
 *
 * @example
 * ```ts
 * // (fragment) private helper
 * looseName("Is Uppercase-Letter"); // "uppercaseletter"
 * ```
 */
export function looseName(name: string): string {
  let out = name.replace(/[ _-]/g, "").replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (out.startsWith("is")) out = out === "isc" ? out : out.slice(2);
  return out;
}

function accepted(body: string): boolean {
  try {
    new RegExp(`\\p{${body}}`, "v");
    return true;
  } catch {
    return false;
  }
}

/** The JavaScript spelling of a name of `kind`, if JavaScript knows it. */
function lookup(kind: Kind, name: string, prefix: string): string | undefined {
  tables ??= { binary: table(BINARY_PROPERTIES), gc: table(GENERAL_CATEGORIES), script: table(SCRIPTS) };
  const loose = looseName(name);
  if (loose === "") return undefined;
  const candidates = [tables[kind].get(loose), loose.charAt(0).toUpperCase() + loose.slice(1)];
  if (kind === "gc" && loose === "lc") candidates.unshift("LC");
  if (kind === "binary" && /^[a-z]{1,5}$/.test(loose)) candidates.push(loose.toUpperCase());
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    // A binary-property candidate must not be a general category or a script JavaScript would accept bare.
    if (kind === "binary" && (tables.gc.has(looseName(candidate)) || tables.script.has(looseName(candidate)))) continue;
    if (kind === "binary" && /^[A-Z][a-z]?$/.test(candidate)) continue;
    const body = prefix + candidate;
    if (accepted(body)) return body;
  }
  return undefined;
}

/**
 * The body of a JavaScript `\p{…}` escape equivalent to Rust's `\p{name}`
 * (`property` undefined) or `\p{property=value}`; `undefined` when Rust would
 * not know the name or JavaScript has no equivalent.
 *
 * @example
 * ```ts
 * // (fragment) private helper
 * unicodeProperty(undefined, "Greek"); // "Script=Greek"
 * unicodeProperty(undefined, "uppercase letter"); // "Uppercase_Letter"
 * unicodeProperty("gc", "Lu"); // "General_Category=Lu"
 * ```
 */
export function unicodeProperty(property: string | undefined, value: string): string | undefined {
  if (property === undefined) {
    // Rust: binary property (except `cf`, the Format category), then general category, then script.
    return (looseName(value) === "cf" ? undefined : lookup("binary", value, "")) ?? lookup("gc", value, "") ??
      lookup("script", value, "Script=");
  }
  switch (looseName(property)) {
    case "gc":
    case "generalcategory":
      return lookup("gc", value, "General_Category=");
    case "sc":
    case "script":
      return lookup("script", value, "Script=");
    case "scx":
    case "scriptextensions":
      return lookup("script", value, "Script_Extensions=");
    default:
      return undefined;
  }
}
