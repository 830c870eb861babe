/**
 * The core is pure: this test parses every non-test source file of @arbiter/core with the TypeScript
 * compiler API and fails on anything that reaches outside plain data — the environment, the clock,
 * randomness, timers, the network, logging, or a module other than the core's own files, luxon and
 * mustache. (`.dependency-cruiser.cjs` checks the module graph as well; this test also catches globals,
 * which have no import to find.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

export interface Finding {
  file: string;
  line: number;
  what: string;
}

/** Globals the core must not touch, whatever the property. */
const FORBIDDEN_GLOBALS = new Set([
  'process',
  'console',
  'require',
  'module',
  '__dirname',
  '__filename',
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'queueMicrotask',
  'globalThis',
  'performance',
  'crypto',
]);

/** `object.property` references that read the clock or randomness, or change luxon's global settings. */
const FORBIDDEN_MEMBERS = new Set(['Date.now', 'Math.random', 'DateTime.now', 'Settings.now', 'Settings.defaultZone', 'Settings.defaultLocale']);

/** Calls that mean "now" when given no arguments. */
const NOW_WITHOUT_ARGUMENTS = new Set(['DateTime.local', 'DateTime.utc']);

const ALLOWED_PACKAGES = new Set(['luxon', 'mustache']);

const isAllowedModule = (specifier: string): boolean =>
  specifier.startsWith('./') || specifier.startsWith('../') || ALLOWED_PACKAGES.has(specifier);

/** Whether an identifier is only a name (of a property, a member, a label), not a reference to a global. */
function isNameOnly(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent)) return parent.name === node;
  if (ts.isQualifiedName(parent)) return parent.right === node;
  if (
    ts.isPropertyAssignment(parent) ||
    ts.isPropertyDeclaration(parent) ||
    ts.isPropertySignature(parent) ||
    ts.isMethodDeclaration(parent) ||
    ts.isMethodSignature(parent) ||
    ts.isGetAccessorDeclaration(parent) ||
    ts.isSetAccessorDeclaration(parent) ||
    ts.isEnumMember(parent)
  ) {
    return parent.name === node;
  }
  if (ts.isBindingElement(parent)) return parent.propertyName === node;
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return true;
  return false;
}

const memberName = (node: ts.PropertyAccessExpression): string | undefined =>
  ts.isIdentifier(node.expression) ? `${node.expression.text}.${node.name.text}` : undefined;

export function findImpurities(file: string, source: string): Finding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const findings: Finding[] = [];
  const report = (node: ts.Node, what: string): void => {
    findings.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, what });
  };
  const checkModule = (node: ts.Node, specifier: ts.Expression | undefined): void => {
    if (specifier !== undefined && ts.isStringLiteralLike(specifier) && !isAllowedModule(specifier.text)) {
      report(node, `import of '${specifier.text}'`);
    }
  };

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      checkModule(node, node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      checkModule(node, node.moduleReference.expression);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      checkModule(node, node.arguments[0]);
    } else if (ts.isIdentifier(node) && FORBIDDEN_GLOBALS.has(node.text) && !isNameOnly(node)) {
      report(node, node.text);
    } else if (ts.isPropertyAccessExpression(node)) {
      const name = memberName(node);
      if (name !== undefined && FORBIDDEN_MEMBERS.has(name)) report(node, name);
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Date') {
      if ((node.arguments?.length ?? 0) === 0) report(node, 'new Date()');
    } else if (ts.isCallExpression(node)) {
      if (ts.isIdentifier(node.expression) && node.expression.text === 'Date') report(node, 'Date()');
      const name = ts.isPropertyAccessExpression(node.expression) ? memberName(node.expression) : undefined;
      if (name !== undefined && NOW_WITHOUT_ARGUMENTS.has(name) && node.arguments.length === 0) report(node, `${name}()`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return findings;
}

const coreSources = (): string[] =>
  fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts') && !f.endsWith('.test-support.ts'))
    .sort();

describe('the core is pure', () => {
  it('checks every non-test source of @arbiter/core', () => {
    const files = coreSources();
    expect(files).toEqual(expect.arrayContaining(['index.ts', 'routing.ts', 'calendar.ts', 'escalation.ts', 'policy.ts']));
    expect(files.some((f) => f.includes('.test'))).toBe(false);
  });

  it('finds nothing impure in the core sources', () => {
    const findings = coreSources().flatMap((f) => findImpurities(f, fs.readFileSync(path.join(__dirname, f), 'utf8')));
    expect(findings).toEqual([]);
  });
});

describe('findImpurities (the check can fail)', () => {
  const impure = `
    import { readFileSync } from 'node:fs';
    import type { Request } from 'express';
    export { x } from '@arbiter/contract';
    import os = require('os');
    const lazy = () => import('http');
    export function f(): void {
      const env = process.env.HOME;
      console.log(env);
      const t = Date.now();
      const d = new Date();
      const d2 = new Date;
      const s = Date();
      const r = Math.random();
      setTimeout(() => undefined, 1);
      setInterval(() => undefined, 1);
      const m = require('fs');
      void fetch('https://example.org');
      const n = DateTime.now();
      const l = DateTime.local();
      const { env: e2 } = globalThis.process;
      Settings.now = () => 0;
    }
  `;

  it('reports every kind of violation, with its line', () => {
    const findings = findImpurities('fixture.ts', impure);
    expect(findings.map((f) => f.what)).toEqual([
      "import of 'node:fs'",
      "import of 'express'",
      "import of '@arbiter/contract'",
      "import of 'os'",
      "import of 'http'",
      'process',
      'console',
      'Date.now',
      'new Date()',
      'new Date()',
      'Date()',
      'Math.random',
      'setTimeout',
      'setInterval',
      'require',
      'fetch',
      'DateTime.now',
      'DateTime.local()',
      'globalThis',
      'Settings.now',
    ]);
    expect(findings[0]).toEqual({ file: 'fixture.ts', line: 2, what: "import of 'node:fs'" });
    expect(findings.find((f) => f.what === 'process')?.line).toBe(8);
  });

  it('does not report pure code that merely looks similar', () => {
    const pure = `
      import { DateTime } from 'luxon';
      import Mustache from 'mustache';
      import { ok } from './result';
      export * from '../core/policy';
      interface Job { process: string; console?: number }
      export function g(job: Job, at: Date, ms: number): unknown {
        const copy = { process: job.process, console: job.console };
        const { process: p } = job;
        const d = new Date(ms);
        const n = DateTime.fromJSDate(at).plus({ hours: 1 }).toMillis();
        const u = DateTime.utc(2026, 3, 29);
        const x = Math.max(1, 2);
        return [copy, p, d, n, u, x, ok(1), Mustache.render('', {}), Date.UTC(2026, 0, 1)];
      }
    `;
    expect(findImpurities('pure.ts', pure)).toEqual([]);
  });
});
