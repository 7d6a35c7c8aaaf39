import { MAX_REQUEST_BODY_BYTES } from '../app';
import { createTestApp } from '../../../test/doubles/api';
import { buildOpenApiDocument, HTTP_METHODS } from './document';
import { DOCS_CONTENT_SECURITY_POLICY, escapeHtml, renderReferencePage } from './render-html';

const document = buildOpenApiDocument(createTestApp().app.routes, { maxRequestBodyBytes: MAX_REQUEST_BODY_BYTES });

describe('GET /docs', () => {
  it('serves the reference page, publicly, under a strict Content-Security-Policy', async () => {
    const { request } = createTestApp({ adminSecret: 'secret-123' });
    const res = await request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toBe(DOCS_CONTENT_SECURITY_POLICY);
    expect(res.text).toBe(renderReferencePage(document));
  });

  it('is self-contained: no script, nothing loaded from elsewhere', () => {
    const html = renderReferencePage(document);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/\bsrc=|@import|url\(/i);
  });

  it('lists every operation with its parameters, bodies, responses and examples, and every schema', () => {
    const html = renderReferencePage(document);
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of HTTP_METHODS) {
        const operation = item[method];
        if (!operation) continue;
        expect(html).toContain(`id="op-${operation.operationId}"`);
        expect(html).toContain(
          `<span class="method ${method}">${method.toUpperCase()}</span><span class="path">${escapeHtml(path)}</span>`,
        );
        for (const parameter of operation.parameters ?? [])
          expect(html).toContain(`<code>${escapeHtml(parameter.name)}</code>`);
        for (const status of Object.keys(operation.responses)) expect(html).toContain(`<h4>${status}</h4>`);
      }
    }
    for (const name of Object.keys(document.components.schemas)) {
      expect(html).toContain(`id="schema-${name}"`);
      expect(html).toContain(`href="#schema-${name}"`);
    }
    expect(html).toContain('Example <code>full</code>');
  });

  it('escapes everything it shows', () => {
    const hostile = structuredClone(document);
    hostile.info.title = '<script>alert(1)</script>';
    hostile.info.description = 'a `<b>` & "c"';
    const html = renderReferencePage(hostile);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<p>a <code>&lt;b&gt;</code> &amp; &quot;c&quot;</p>');
  });
});

describe('GET /openapi.json', () => {
  it('serves the document as JSON, publicly', async () => {
    const { request } = createTestApp({ adminSecret: 'secret-123' });
    const res = await request('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(document)));
  });
});
