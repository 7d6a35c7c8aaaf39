/**
 * The API's own documentation: `GET /openapi.json` (the OpenAPI 3.1 document) and `GET /docs` (the same document as
 * a web page). Both are public (docs/contract.md §5). They only change with the code, so each is built once, on first request
 * (not when the app is made: most apps, in tests, never serve them).
 */
import { Hono } from 'hono';
import {
  buildOpenApiDocument,
  DOCS_CONTENT_SECURITY_POLICY,
  renderReferencePage,
  type OpenApiOptions,
} from '../openapi';

export function createDocsRouter(options: OpenApiOptions) {
  let rendered: { json: string; html: string } | undefined;
  const docs = () => {
    if (rendered === undefined) {
      const document = buildOpenApiDocument(options);
      rendered = { json: JSON.stringify(document), html: renderReferencePage(document) };
    }
    return rendered;
  };
  return new Hono()
    .get('/openapi.json', (c) => c.body(docs().json, 200, { 'Content-Type': 'application/json; charset=utf-8' }))
    .get('/docs', (c) => c.html(docs().html, 200, { 'Content-Security-Policy': DOCS_CONTENT_SECURITY_POLICY }));
}
