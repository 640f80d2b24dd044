/**
 * Relative links between the project's Markdown pages (README.md, ARCHITECTURE.md, docs/**): each must
 * name a file that exists and, for `page.md#anchor` or `#anchor`, a heading of that page, so moving a
 * page or renaming a heading cannot leave a dead link. Checked by scripts/doc-links.test.ts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The pages checked, relative to the project root: the two top-level pages and everything under docs/. */
export function docPages(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return walk(path);
      return e.name.endsWith('.md') ? [path] : [];
    });
  return ['README.md', 'ARCHITECTURE.md', ...walk('docs').sort()];
}

/** The text with fenced code blocks and inline code blanked (same length, same line breaks). */
function withoutCode(markdown: string): string {
  let fence: string | undefined;
  const lines = markdown.split('\n').map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker) {
      fence = marker;
      return '';
    }
    if (fence !== undefined) {
      if (marker?.startsWith(fence)) fence = undefined;
      return '';
    }
    return line.replace(/(`+)[^`]*?\1/g, (code) => ' '.repeat(code.length));
  });
  return lines.join('\n');
}

/**
 * GitHub's anchor for a heading: inline code and link markup reduced to their text, lower case, every
 * character but letters, digits, `_`, `-` and spaces dropped (accents kept), spaces turned into `-`.
 */
export function headingSlug(heading: string): string {
  return heading
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a page offers: its headings' slugs, a repeated one suffixed `-1`, `-2`… as GitHub does. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      continue;
    }
    const heading = fence === undefined ? /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1] : undefined;
    if (heading === undefined) continue;
    const slug = headingSlug(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

export interface DocLink {
  line: number;
  target: string;
}

/** The relative links of a page (`[text](target)` and `[label]: target`), outside code; URLs skipped. */
export function relativeLinks(markdown: string): DocLink[] {
  const text = withoutCode(markdown);
  const links: DocLink[] = [];
  const patterns = [
    /\]\(\s*<([^>]*)>[^)]*\)|\]\(\s*([^)\s]+)[^)]*\)/g,
    /^ {0,3}\[[^\]]+\]:\s*<?([^>\s]+)>?/gm,
  ];
  for (const pattern of patterns) {
    for (const m of text.matchAll(pattern)) {
      const target = m[1] ?? m[2];
      if (target === undefined || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      links.push({ line: text.slice(0, m.index).split('\n').length, target });
    }
  }
  return links.sort((a, b) => a.line - b.line);
}

/** One line per dead link: `page:line`, the link, what is missing, and the fix. */
export function brokenLinks(root: string, pages: string[]): string[] {
  const anchorsOf = new Map<string, Set<string>>();
  const anchors = (page: string) => {
    let set = anchorsOf.get(page);
    if (!set) {
      set = headingAnchors(readFileSync(join(root, page), 'utf8'));
      anchorsOf.set(page, set);
    }
    return set;
  };
  const problems: string[] = [];
  for (const page of pages) {
    for (const { line, target } of relativeLinks(readFileSync(join(root, page), 'utf8'))) {
      const hash = target.indexOf('#');
      const path = decodeURI(hash >= 0 ? target.slice(0, hash) : target);
      const anchor = hash >= 0 ? decodeURIComponent(target.slice(hash + 1)) : undefined;
      const linked = path === '' ? page : relative(root, join(root, dirname(page), path));
      const where = `${page}:${line}: link (${target})`;
      if (linked.startsWith('..') || !existsSync(join(root, linked))) {
        problems.push(`${where}: no file ${linked}; fix the link or restore the page`);
      } else if (anchor !== undefined && statSync(join(root, linked)).isFile()) {
        if (linked.endsWith('.md') && !anchors(linked).has(anchor)) {
          problems.push(
            `${where}: ${linked} has no heading with anchor #${anchor}; link to one of its headings (${[...anchors(linked)].join(', ')})`,
          );
        }
      }
    }
  }
  return problems;
}
