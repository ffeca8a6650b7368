import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const READMES = ['README.md', 'README.ja.md'];

/** Routes whose path is set where the module is registered rather than on a controller. */
const FRAMEWORK_ROUTES = ['GET /docs', 'GET /docs-json', 'GET /metrics'];

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);

    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

const SOURCES = sourceFiles(join(ROOT, 'src')).map((path) => readFileSync(path, 'utf8'));

function joinPath(base: string, sub: string): string {
  const path = `/${[base, sub].filter((part) => part !== '').join('/')}`;

  return path.replace(/:([a-z_]+)/g, '{$1}');
}

function routesInCode(): Set<string> {
  const routes = new Set(FRAMEWORK_ROUTES);
  for (const source of SOURCES) {
    const base = /@Controller\('([^']*)'\)/.exec(source)?.[1];
    if (base === undefined) continue;

    for (const match of source.matchAll(/@(Get|Post|Put|Patch|Delete)\((?:'([^']*)')?\)/g)) {
      routes.add(`${match[1].toUpperCase()} ${joinPath(base, match[2] ?? '')}`);
    }
  }

  return routes;
}

function variablesInCode(): Set<string> {
  const names = SOURCES.flatMap((source) =>
    [...source.matchAll(/(?:reader\.\w+\(|\(reader,)\s*'([A-Z][A-Z0-9_]+)'/g)].map(
      (match) => match[1],
    ),
  );

  return new Set(names);
}

function errorCodesInCode(): Set<string> {
  const pattern = /(?:super|new AppError)\(\s*\d{3},\s*'([a-z_]+)'/g;

  return new Set(SOURCES.flatMap((source) => [...source.matchAll(pattern)].map((m) => m[1])));
}

/** The rows of the markdown table that follows the heading whose anchor id is `anchor`. */
function tableAfter(readme: string, anchor: string): string[] {
  const start = readme.indexOf(`<a id="${anchor}"></a>`);
  if (start < 0) throw new Error(`no section with anchor ${anchor}`);

  const lines = readme.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, index) => index > first && !line.startsWith('|'));

  return lines.slice(first + 2, end);
}

function firstCode(rows: string[], column: number): Set<string> {
  return new Set(
    rows.map((row) => /`([^`]+)`/.exec(row.split('|')[column + 1] ?? '')?.[1] ?? `?${row}`),
  );
}

describe.each(READMES)('%s stays in step with the code', (file) => {
  const readme = readFileSync(join(ROOT, file), 'utf8');

  it('lists every route, and no route that does not exist', () => {
    expect([...firstCode(tableAfter(readme, 'routes'), 0)].sort()).toEqual(
      [...routesInCode()].sort(),
    );
  });

  it('lists every configuration variable, and none that does not exist', () => {
    expect([...firstCode(tableAfter(readme, 'configuration'), 0)].sort()).toEqual(
      [...variablesInCode()].sort(),
    );
  });

  it('explains every error code, and none that does not exist', () => {
    expect([...firstCode(tableAfter(readme, 'errors'), 1)].sort()).toEqual(
      [...errorCodesInCode()].sort(),
    );
  });

  it('links to the other language', () => {
    const other = READMES.find((name) => name !== file)!;

    expect(readme).toContain(`](${other})`);
  });
});
