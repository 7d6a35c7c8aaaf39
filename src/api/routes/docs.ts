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
  type AppRoute,
  type OpenApiOptions,
} from '../openapi';
import { describeRoute } from '../openapi/operation';
import { apiReferenceDoc, openApiDocumentDoc } from './operations.openapi';

/** What the document is built from: the options, and the app's routes (read when the document is first asked for). */
export interface DocsRouterOptions extends OpenApiOptions {
  routes: () => readonly AppRoute[];
}

export function createDocsRouter({ routes, ...options }: DocsRouterOptions) {
  let rendered: { json: string; html: string } | undefined;
  const docs = () => {
    if (rendered === undefined) {
      const document = buildOpenApiDocument(routes(), options);
      rendered = { json: JSON.stringify(document), html: renderReferencePage(document) };
    }
    return rendered;
  };
  return new Hono()
    .get('/openapi.json', describeRoute(openApiDocumentDoc), (c) =>
      c.body(docs().json, 200, { 'Content-Type': 'application/json; charset=utf-8' }),
    )
    .get('/docs', describeRoute(apiReferenceDoc), (c) =>
      c.html(docs().html, 200, { 'Content-Security-Policy': DOCS_CONTENT_SECURITY_POLICY }),
    );
}
