/**
 * Characters a name must not contain: controls, format characters (zero-width, bidi controls),
 * private-use, unassigned and surrogate code points, line and paragraph separators, and every
 * default-ignorable code point (variation selectors, Hangul fillers, the combining grapheme joiner,
 * tags): all of them are invisible or change how the text around them is shown.
 */
// U+2800 (Braille blank) is a symbol that shows as nothing; the Hangul fillers are default-ignorable already.
export const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]/u;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'gu');

/**
 * Letters of other scripts that look like Latin ones, before case folding (so Greek capital Ν maps
 * to N and small ν to v). A small subset of Unicode's confusables.txt (UTS #39): the Cyrillic and
 * Greek letters that are drawn the same as a Latin letter in common fonts.
 */
const CONFUSABLES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    // Cyrillic capitals and smalls
    А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', Х: 'X', У: 'Y', Ѕ: 'S', І: 'I', Ј: 'J', Ӏ: 'I', Ԛ: 'Q', Ԝ: 'W',
    а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', ѕ: 's', і: 'i', ј: 'j', һ: 'h', ԁ: 'd', ԛ: 'q', ԝ: 'w', ӏ: 'l',
    // Greek capitals and smalls
    Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
    ο: 'o', ν: 'v', ρ: 'p', ι: 'i', κ: 'k', υ: 'u', χ: 'x', α: 'a',
  }),
);

/**
 * The skeleton two app names are compared by: names with the same key look the same to a reader.
 * NFKC (fullwidth and compatibility forms become plain letters), invisible characters dropped,
 * Cyrillic and Greek look-alikes mapped to Latin, case folded, whitespace collapsed.
 *
 * @example
 *   nameKey('Expense  Sync') === nameKey('ｅｘｐｅｎｓｅ sync') // true
 *   nameKey('Ехрense Sync') === nameKey('Expense Sync') // true: Cyrillic Е, х and р
 */
export function nameKey(name: string): string {
  const mapped = [...name.normalize('NFKC').replace(INVISIBLE_ALL, '')].map((c) => CONFUSABLES.get(c) ?? c).join('');
  // Upper then lower folds the letters lower-casing alone misses (ß and SS, final and other sigma).
  return mapped.toUpperCase().toLowerCase().normalize('NFKC').replace(/\s+/g, ' ').trim();
}
