/**
 * The configuration reference (docs/configuration.md), rendered from the schemas: one
 * table per section, one row per variable, naming every component that reads it.
 */
import type { Schema } from './var-spec.js';

/** One variable as the reference shows it. */
export interface DocVar {
  env: string;
  form: string;
  /** The default, "required", or "—". */
  default: string;
  meaning: string;
  /** Who reads it. */
  readBy: string;
}

/** A titled table of variables. */
export interface DocSection {
  title: string;
  intro: string;
  vars: DocVar[];
}

/** A component's name and the schema its config module reads. */
export interface ComponentSchema {
  component: string;
  schema: Schema;
}

/** The rows of the schemas' variables, one per variable; components that read the same one are listed together. */
export function schemaRows(components: readonly ComponentSchema[]): DocVar[] {
  const byEnv = new Map<
    string,
    { forms: string[]; defaults: Map<string, string[]>; meanings: string[]; readBy: string[] }
  >();
  for (const { component, schema } of components) {
    for (const spec of Object.values(schema)) {
      let row = byEnv.get(spec.env);
      if (!row) byEnv.set(spec.env, (row = { forms: [], defaults: new Map(), meanings: [], readBy: [] }));
      if (!row.forms.includes(spec.form)) row.forms.push(spec.form);
      if (!row.meanings.includes(spec.meaning)) row.meanings.push(spec.meaning);
      if (!row.readBy.includes(component)) row.readBy.push(component);
      const shown = spec.required ? 'required' : (spec.defaultText ?? '—');
      row.defaults.set(shown, [...(row.defaults.get(shown) ?? []), component]);
    }
  }
  return [...byEnv.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([env, row]) => ({
      env,
      form: row.forms.join('; '),
      default:
        row.defaults.size === 1
          ? [...row.defaults.keys()][0]!
          : [...row.defaults.entries()].map(([d, who]) => `${d} (${who.join(', ')})`).join('; '),
      meaning: row.meanings.join('; '),
      readBy: row.readBy.join(', '),
    }));
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll('\n', ' ');
}

/** Renders the reference as Markdown. */
export function renderReference(title: string, intro: string, sections: readonly DocSection[]): string {
  const out = [`# ${title}`, '', intro, ''];
  for (const s of sections) {
    out.push(
      `## ${s.title}`,
      '',
      s.intro,
      '',
      '| Variable | Form | Default | Read by | Meaning |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const v of s.vars)
      out.push(`| \`${v.env}\` | ${cell(v.form)} | ${cell(v.default)} | ${cell(v.readBy)} | ${cell(v.meaning)} |`);
    out.push('');
  }
  return out.join('\n');
}
