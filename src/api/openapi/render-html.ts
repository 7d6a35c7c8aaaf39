/**
 * The API reference page (`GET /docs`), rendered on the server from the OpenAPI document. Self-contained on purpose:
 * no script and nothing fetched from elsewhere (the service often runs where the internet is not reachable, and a
 * page without scripts can be served under a strict Content-Security-Policy), just HTML with a little inline CSS.
 */
import type {
  ExampleObject,
  MediaType,
  OpenApiDocument,
  OperationObject,
  ParameterObject,
  ResponseObject,
  ResponseOrRef,
} from './document';
import { HTTP_METHODS } from './document';

/** The page's Content-Security-Policy: inline styles only. */
export const DOCS_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'";

const SCHEMA_REF = /&quot;#\/components\/schemas\/([A-Za-z0-9_]+)&quot;/g;

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#fff}
header,main{max-width:1000px;margin:0 auto;padding:0 24px}
header{padding-top:24px;border-bottom:1px solid #d0d7de}
h1{margin:0 0 4px}h2{margin-top:40px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h3{margin:0;font-size:1.15em}h4{margin:16px 0 6px}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code{background:#f6f8fa;padding:1px 4px;border-radius:4px}
pre{background:#f6f8fa;padding:12px;border-radius:6px;overflow:auto;max-height:480px}
section.op{border:1px solid #d0d7de;border-radius:8px;padding:16px;margin:16px 0}
.method{display:inline-block;min-width:60px;text-align:center;font-weight:700;color:#fff;border-radius:4px;padding:2px 6px;margin-right:8px;font-size:13px}
.get{background:#0969da}.post{background:#1a7f37}.patch{background:#9a6700}.delete{background:#cf222e}
.path{font:600 15px ui-monospace,monospace}
.muted{color:#59636e}
table{border-collapse:collapse;width:100%;margin:4px 0}
th,td{border:1px solid #d0d7de;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
table.params{table-layout:fixed}td p{margin:0 0 4px}
.wrap{word-break:break-all}
details{margin:6px 0}summary{cursor:pointer}
nav ul{columns:2;padding-left:20px}
`;

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The document's prose: paragraphs split at blank lines, `code` spans kept; everything else plain text. */
function prose(text: string | undefined): string {
  if (text === undefined || text === '') return '';
  return text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`)
    .join('\n');
}

/** Pretty JSON, with schema references turned into links to their definitions. */
function jsonBlock(value: unknown): string {
  const html = escapeHtml(JSON.stringify(value, null, 2)).replace(
    SCHEMA_REF,
    (_match, name: string) => `<a href="#schema-${name}">&quot;#/components/schemas/${name}&quot;</a>`,
  );
  return `<pre>${html}</pre>`;
}

function anchorOf(operation: OperationObject): string {
  return `op-${operation.operationId}`;
}

function operationsOf(document: OpenApiDocument): { method: string; path: string; operation: OperationObject }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((method) => {
      const operation = item[method];
      return operation ? [{ method, path, operation }] : [];
    }),
  );
}

function examplesBlock(examples: Record<string, ExampleObject> | undefined): string {
  if (!examples) return '';
  return Object.entries(examples)
    .map(
      ([name, example]) =>
        `<details open><summary>Example <code>${escapeHtml(name)}</code>${
          example.summary ? `: ${escapeHtml(example.summary)}` : ''
        }</summary>${jsonBlock(example.value)}</details>`,
    )
    .join('\n');
}

function mediaBlock(content: Record<string, MediaType> | undefined): string {
  if (!content) return '';
  return Object.entries(content)
    .map(
      ([type, media]) =>
        `<div class="muted">${escapeHtml(type)}</div>` +
        `<details><summary>Schema</summary>${jsonBlock(media.schema)}</details>${examplesBlock(media.examples)}`,
    )
    .join('\n');
}

function parametersBlock(parameters: ParameterObject[] | undefined): string {
  if (!parameters || parameters.length === 0) return '';
  const rows = parameters
    .map(
      (p) =>
        `<tr><td><code>${escapeHtml(p.name)}</code>${p.required ? '<br><strong>required</strong>' : ''}</td>` +
        `<td>${escapeHtml(p.in)}</td>` +
        `<td>${prose(p.description)}<details><summary>Schema</summary>${jsonBlock(p.schema)}</details></td>` +
        `<td>${p.example === undefined ? '' : `<code class="wrap">${escapeHtml(JSON.stringify(p.example))}</code>`}</td></tr>`,
    )
    .join('\n');
  return (
    '<h4>Parameters</h4><table class="params"><colgroup><col style="width:18%"><col style="width:8%"><col><col style="width:28%"></colgroup>' +
    `<tr><th>name</th><th>in</th><th>description</th><th>example</th></tr>${rows}</table>`
  );
}

function resolveResponse(document: OpenApiDocument, response: ResponseOrRef): ResponseObject {
  if (!('$ref' in response)) return response;
  const name = response.$ref.replace('#/components/responses/', '');
  const resolved = document.components.responses[name];
  if (!resolved) throw new Error(`unresolved response reference ${response.$ref}`);
  return resolved;
}

function responsesBlock(document: OpenApiDocument, responses: Record<string, ResponseOrRef>): string {
  return Object.entries(responses)
    .map(([status, ref]) => {
      const response = resolveResponse(document, ref);
      const headers = Object.entries(response.headers ?? {})
        .map(
          ([name, header]) => `<div>Header <code>${escapeHtml(name)}</code>: ${escapeHtml(header.description)}</div>`,
        )
        .join('');
      return `<h4>${escapeHtml(status)}</h4>${prose(response.description)}${headers}${mediaBlock(response.content)}`;
    })
    .join('\n');
}

function securityNote(document: OpenApiDocument, operation: OperationObject): string {
  const security = operation.security ?? document.security;
  if (security.length === 0) return '<p class="muted">Public: no admin secret needed.</p>';
  const schemes = security.flatMap((requirement) => Object.keys(requirement));
  return `<p class="muted">Needs the admin secret when one is configured (${schemes
    .map((s) => `<a href="#security">${escapeHtml(s)}</a>`)
    .join(' or ')}).</p>`;
}

function operationBlock(document: OpenApiDocument, method: string, path: string, operation: OperationObject): string {
  const body = operation.requestBody
    ? `<h4>Request body${operation.requestBody.required ? ' (required)' : ''}</h4>${prose(
        operation.requestBody.description,
      )}${mediaBlock(operation.requestBody.content)}`
    : '';
  return `<section class="op" id="${escapeHtml(anchorOf(operation))}">
<h3><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span><span class="path">${escapeHtml(
    path,
  )}</span></h3>
<p><strong>${escapeHtml(operation.summary)}</strong> <span class="muted">(<code>${escapeHtml(
    operation.operationId,
  )}</code>)</span></p>
${prose(operation.description)}
${securityNote(document, operation)}
${parametersBlock(operation.parameters)}
${body}
<h4>Responses</h4>
${responsesBlock(document, operation.responses)}
</section>`;
}

/** The whole reference page. */
export function renderReferencePage(document: OpenApiDocument): string {
  const operations = operationsOf(document);
  const toc = document.tags
    .map((tag) => {
      const items = operations
        .filter(({ operation }) => operation.tags.includes(tag.name))
        .map(
          ({ method, path, operation }) =>
            `<li><a href="#${escapeHtml(anchorOf(operation))}"><code>${escapeHtml(method.toUpperCase())} ${escapeHtml(
              path,
            )}</code></a> ${escapeHtml(operation.summary)}</li>`,
        )
        .join('\n');
      return `<h4>${escapeHtml(tag.name)}</h4><ul>${items}</ul>`;
    })
    .join('\n');
  const sections = document.tags
    .map((tag) => {
      const blocks = operations
        .filter(({ operation }) => operation.tags.includes(tag.name))
        .map(({ method, path, operation }) => operationBlock(document, method, path, operation))
        .join('\n');
      return `<h2 id="tag-${escapeHtml(tag.name)}">${escapeHtml(tag.name)}</h2>${prose(tag.description)}${blocks}`;
    })
    .join('\n');
  const security = Object.entries(document.components.securitySchemes)
    .map(([name, scheme]) => `<tr><td><code>${escapeHtml(name)}</code></td><td>${jsonBlock(scheme)}</td></tr>`)
    .join('\n');
  const schemas = Object.entries(document.components.schemas)
    .map(([name, schema]) => `<h3 id="schema-${escapeHtml(name)}">${escapeHtml(name)}</h3>${jsonBlock(schema)}`)
    .join('\n');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.info.title)} API reference</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(document.info.title)} <span class="muted">${escapeHtml(document.info.version)}</span></h1>
<p class="muted">OpenAPI ${escapeHtml(document.openapi)} · the machine-readable document is at <a href="openapi.json"><code>/openapi.json</code></a></p>
</header>
<main>
${prose(document.info.description)}
<nav><h2>Operations</h2>${toc}</nav>
${sections}
<h2 id="security">Authentication</h2>
<table><tr><th>scheme</th><th>definition</th></tr>${security}</table>
<h2 id="schemas">Schemas</h2>
${schemas}
</main>
</body>
</html>
`;
}
