/**
 * Puts a table of contents at the top of API.md (jsii-docgen writes none):
 * each section (Constructs, Structs, Classes, Protocols, Enums) with a link
 * to every type in it. Runs after jsii-docgen in the docgen task; running it
 * again replaces the table it wrote.
 */
import * as fs from 'fs';
import * as path from 'path';

const START = '<!-- api-toc:start -->';
const END = '<!-- api-toc:end -->';

/** API.md's text with a table of contents after its title (and without any earlier one). */
export function withToc(markdown: string): string {
  const text = markdown.replace(new RegExp(`${START}[\\s\\S]*?${END}\\n\\n`), '');
  const lines: string[] = [];
  let section: string | undefined;
  let entries: string[] = [];
  const flush = () => {
    if (section && entries.length > 0) lines.push(`- **${section}** (${entries.length}): ${entries.join(' · ')}`);
    entries = [];
  };
  for (const line of text.split('\n')) {
    const h2 = /^## (\w+) <a name="\w+" id="\w+"><\/a>$/.exec(line);
    if (h2) {
      flush();
      section = h2[1];
      continue;
    }
    const h3 = /^### (\w+) <a name="\w+" id="([\w.-]+)"><\/a>$/.exec(line);
    if (h3 && section) entries.push(`[${h3[1]}](#${h3[2]})`);
  }
  flush();
  if (lines.length === 0) throw new Error('API.md: no sections found; has jsii-docgen changed its headings?');
  const title = text.indexOf('\n');
  return `${text.slice(0, title + 1)}\n${START}\n${lines.join('\n')}\n${END}\n\n${text.slice(title + 1).replace(/^\n+/, '')}`;
}

if (require.main === module) {
  const file = path.join(__dirname, '..', 'API.md');
  fs.writeFileSync(file, withToc(fs.readFileSync(file, 'utf8')));
}
