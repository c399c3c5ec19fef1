/**
 * Adds compromise's first-name lexicon (compromise 14, ~3,000 names from many cultures) to
 * shared/guard/terms/names.json `en.firstNames`, keeping the hand-written entries. The guard does not load
 * compromise at run time (≈350 kB, 137 kB gzipped): the names are data, and a company can extend the list.
 * Names that are also common words stay out of lone-name matching through `en.notNames`.
 * Run: npx tsx scripts/gen-names.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import nlp from 'compromise';

const path = new URL('../shared/guard/terms/names.json', import.meta.url);
const data = JSON.parse(readFileSync(path, 'utf8')) as { en: { firstNames: string[] } };
const lexicon = (nlp as unknown as { world: () => { model: { one: { lexicon: Record<string, string | string[]> } } } }).world().model.one.lexicon;
const names = new Set(data.en.firstNames);
for (const [word, tags] of Object.entries(lexicon)) {
  if (!(Array.isArray(tags) ? tags : [tags]).some((t) => /FirstName|MaleName|FemaleName/.test(t))) continue;
  if (!/^[a-z]{3,14}$/.test(word)) continue;
  names.add(word.charAt(0).toUpperCase() + word.slice(1));
}
data.en.firstNames = [...names].sort();
writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
console.log(`${data.en.firstNames.length} first names`);
