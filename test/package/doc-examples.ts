/**
 * The TypeScript examples of the documentation, found automatically: every
 * fenced block whose info string is `ts` or `typescript` in `README.md` and
 * `docs/*.md` is an example, compiled and run by `consumer.test.ts` against
 * the packed package. An example that needs what a test cannot give it (a
 * PostgreSQL server on another machine, a server that runs until stopped)
 * is marked `ts compile-only`: it is compiled against the package, and not
 * run. Listings that are not code use another info string (`text`).
 *
 * Also the relative links of those files, for the check that they resolve
 * inside the published package.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

/** One example: where it comes from and its code. */
export interface DocExample {
  /** `README.md:12`: file and line of the opening fence. */
  readonly where: string;
  /** A file name for the example: `README-12.ts`. */
  readonly file: string;
  readonly code: string;
  /** Compiled, not run (`ts compile-only`). */
  readonly compileOnly: boolean;
}

/** The documentation files, relative to the package root. */
export function docFiles(root: string): string[] {
  return ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
}

const FENCE = /^```([^\n`]*)\n([\s\S]*?)^```[ \t]*$/gm;

/** Every `ts`/`typescript` block of one Markdown text. */
export function examplesOf(doc: string, text: string): DocExample[] {
  const out: DocExample[] = [];
  for (const m of text.matchAll(FENCE)) {
    const [lang, ...flags] = m[1]!.trim().split(/\s+/);
    if (lang !== 'ts' && lang !== 'typescript') continue;
    const line = text.slice(0, m.index).split('\n').length;
    out.push({ where: `${doc}:${line}`, file: `${basename(doc, '.md')}-${line}.ts`, code: m[2]!, compileOnly: flags.includes('compile-only') });
  }
  return out;
}

/** Every example of the documentation under `root`. */
export function docExamples(root: string): DocExample[] {
  return docFiles(root).flatMap((d) => examplesOf(d, readFileSync(join(root, d), 'utf8')));
}

/** Markdown text without its fenced blocks (links inside code are not links). */
function prose(text: string): string {
  return text.replace(FENCE, '');
}

/** The relative link targets of a Markdown text: `[x](target)` and `<img src="target">`, without external URLs. */
export function relativeLinks(text: string): string[] {
  const body = prose(text).replace(/`[^`\n]*`/g, '');
  const out: string[] = [];
  for (const m of body.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)|<img[^>]*\ssrc="([^"]+)"/g)) {
    const target = (m[1] ?? m[2])!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    out.push(target);
  }
  return out;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a Markdown text's headings. */
export function anchors(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of prose(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) out.add(slug(m[1]!));
  return out;
}
