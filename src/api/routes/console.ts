/**
 * The web console (docs/console.md) at `/console`: one HTML page, its script and its stylesheet, all from this
 * process (nothing from a CDN; it works offline). The script (src/console/) is bundled with esbuild at the first
 * request for it, in memory, so `npm start` serves the console with no build step.
 *
 * These three paths are public, like /docs: they hold no data. The page then calls the API like any other client,
 * with the admin secret the user typed (kept in sessionStorage), so the console can do nothing an API client
 * cannot, and the API's checks apply to it unchanged.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import { Hono } from 'hono';
import { describeRoute } from '../openapi/operation';
import { consolePageDoc, consoleScriptDoc, consoleStyleDoc } from './operations.openapi';

export const CONSOLE_PATH = '/console';
export const CONSOLE_SCRIPT_PATH = '/console/app.js';
export const CONSOLE_STYLE_PATH = '/console/style.css';
export const CONSOLE_PATHS = [CONSOLE_PATH, CONSOLE_SCRIPT_PATH, CONSOLE_STYLE_PATH] as const;

/**
 * The console's client sources, `src/console`: found from this file whether it runs as source (tsx, Jest) or
 * compiled into dist/ (`npm run build`, which leaves the sources where they are and compiles none of them).
 */
function consoleSourceDir(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = join(dir, 'src', 'console');
    if (existsSync(join(candidate, 'main.ts'))) return candidate;
  }
  throw new Error(`no src/console/main.ts above ${__dirname}: the console's sources are missing`);
}

/**
 * Scripts and styles from this origin only, no inline code, no plugins, calls to this origin only, no framing
 * (clickjacking), no forms posting elsewhere. The favicon is an empty `data:` URL, so the browser asks for none.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONSOLE_CONTENT_SECURITY_POLICY,
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  // The page and its assets change with the server; a browser asks again each time (cheap: they are in memory).
  'Cache-Control': 'no-cache',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Scheduled events</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${CONSOLE_STYLE_PATH}">
<script type="module" src="${CONSOLE_SCRIPT_PATH}"></script>
</head>
<body>
<div id="app"><noscript>The console needs JavaScript.</noscript></div>
</body>
</html>
`;

/** The bundle and the stylesheet, or why they could not be made: either way made once per process. */
let assets: { script: string; style: string } | Error | undefined;

/**
 * The bundled script and the stylesheet, made at the first request for one (~0.1 s of esbuild). A failure is kept
 * too, so that requests for a broken console cost nothing and log nothing after the first (it is logged once, by
 * the app's error handler).
 */
function consoleAssets(): { script: string; style: string } {
  if (assets === undefined) {
    try {
      assets = bundle(consoleSourceDir());
    } catch (error) {
      assets = new Error('the web console could not be built', { cause: error });
      throw assets;
    }
  }
  if (assets instanceof Error) throw new Error(assets.message); // no cause: logged in full once already
  return assets;
}

function bundle(sourceDir: string): { script: string; style: string } {
  const result = buildSync({
    entryPoints: [join(sourceDir, 'main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild produced no console bundle');
  return { script: output.text, style: readFileSync(join(sourceDir, 'style.css'), 'utf8') };
}

export function createConsoleRouter() {
  return new Hono()
    .get(CONSOLE_PATH, describeRoute(consolePageDoc), (c) => c.html(PAGE, 200, SECURITY_HEADERS))
    .get(CONSOLE_SCRIPT_PATH, describeRoute(consoleScriptDoc), (c) =>
      c.body(consoleAssets().script, 200, { ...SECURITY_HEADERS, 'Content-Type': 'text/javascript; charset=utf-8' }),
    )
    .get(CONSOLE_STYLE_PATH, describeRoute(consoleStyleDoc), (c) =>
      c.body(consoleAssets().style, 200, { ...SECURITY_HEADERS, 'Content-Type': 'text/css; charset=utf-8' }),
    );
}
