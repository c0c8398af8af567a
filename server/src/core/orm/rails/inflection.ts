// ActiveSupport's English inflections, as Rails applies them to name tables: underscore, plural and
// the singular of a table.

/** `UserProfile` → `user_profile`, `HTMLPage` → `html_page`. */
export function underscore(name: string): string {
  return name
    .replace(/::/g, '/')
    .replace(/([A-Z\d]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();
}

const UNCOUNTABLE = ['equipment', 'information', 'rice', 'money', 'species', 'series', 'fish', 'sheep', 'jeans', 'police'];
const IRREGULAR: Array<[string, string]> = [['person', 'people'], ['man', 'men'], ['child', 'children'], ['sex', 'sexes'], ['move', 'moves'], ['zombie', 'zombies']];
/** ActiveSupport's plural rules, the last defined first (as Rails applies them). */
const PLURALS: Array<[RegExp, string]> = [
  [/(quiz)$/i, '$1zes'],
  [/^(oxen)$/i, '$1'],
  [/^(ox)$/i, '$1en'],
  [/^(m|l)ice$/i, '$1ice'],
  [/^(m|l)ouse$/i, '$1ice'],
  [/(matr|vert|ind)(?:ix|ex)$/i, '$1ices'],
  [/(x|ch|ss|sh)$/i, '$1es'],
  [/([^aeiouy]|qu)y$/i, '$1ies'],
  [/(hive)$/i, '$1s'],
  [/(?:([^f])fe|([lr])f)$/i, '$1$2ves'],
  [/sis$/i, 'ses'],
  [/([ti])a$/i, '$1a'],
  [/([ti])um$/i, '$1a'],
  [/(buffal|tomat)o$/i, '$1oes'],
  [/(bu)s$/i, '$1ses'],
  [/(alias|status)$/i, '$1es'],
  [/(octop|vir)i$/i, '$1i'],
  [/(octop|vir)us$/i, '$1i'],
  [/^(ax|test)is$/i, '$1es'],
  [/s$/i, 's'],
  [/$/, 's'],
];

/** The plural of a snake_case word: `micropost` → `microposts`, `person` → `people`, `category` → `categories`. */
export function pluralize(word: string): string {
  if (UNCOUNTABLE.some((u) => word === u || word.endsWith(`_${u}`))) return word;
  for (const [singular, plural] of IRREGULAR) {
    if (word === singular || word.endsWith(`_${singular}`) || (singular !== 'man' && word.endsWith(singular))) return word.slice(0, word.length - singular.length) + plural;
    if (word === plural || word.endsWith(`_${plural}`)) return word;
  }
  // A group that took no part in the match ($2 of the -ves rule) is replaced by nothing.
  for (const [rule, replacement] of PLURALS) if (rule.test(word)) return word.replace(rule, replacement);
  return word;
}

/** The singular of a table for a nested model's prefix: the inverse of pluralize on the common cases. */
export function singularOfTable(table: string): string {
  for (const [singular, plural] of IRREGULAR) if (table.endsWith(plural)) return table.slice(0, table.length - plural.length) + singular;
  return table.replace(/ies$/, 'y').replace(/(x|ch|ss|sh)es$/, '$1').replace(/s$/, '');
}
