export { buildOpenApiDocument, toOpenApiPath, type OpenApiDocument, type OpenApiOptions } from './document';
export { DOCS_CONTENT_SECURITY_POLICY, renderReferencePage } from './render-html';
