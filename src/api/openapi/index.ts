export {
  buildOpenApiDocument,
  toOpenApiPath,
  type AppRoute,
  type OpenApiDocument,
  type OpenApiOptions,
} from './document';
export { describeRoute } from './operation';
export { DOCS_CONTENT_SECURITY_POLICY, renderReferencePage } from './render-html';
