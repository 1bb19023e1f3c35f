/**
 * The browsable API reference at /docs (Swagger UI, served from the package's own files: no CDN). The
 * document is the one at /openapi.json, generated from the routes by src/http/openapi.ts.
 */
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export const DOCS_PREFIX = '/docs';

/**
 * @fastify/swagger-ui reads the document from `fastify.swagger()` and insists that a plugin named
 * `@fastify/swagger` is registered. Our document comes from our own collector, so this small plugin
 * provides that decorator under the name the UI looks for, instead of a second generator.
 */
const documentProvider = fp(
  (app: FastifyInstance, opts: { document: () => Record<string, unknown> }, done: () => void) => {
    // The UI also offers the document as YAML; JSON is valid YAML 1.2.
    app.decorate('swagger', (o?: { yaml?: boolean }) =>
      o?.yaml ? JSON.stringify(opts.document(), null, 2) : opts.document(),
    );
    done();
  },
  { name: '@fastify/swagger', fastify: '5.x' },
);

/** Registers /docs in its own context: its routes are public and left out of the document. */
export async function registerDocsUi(
  app: FastifyInstance,
  document: () => Record<string, unknown>,
): Promise<void> {
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), doc: { auth: false, hidden: true } };
    });
    await docs.register(documentProvider, { document });
    await docs.register(swaggerUi, {
      routePrefix: DOCS_PREFIX,
      // The reference is read-only here: "Try it out" would need a key pasted into a browser page.
      uiConfig: { docExpansion: 'list', deepLinking: true, supportedSubmitMethods: [] },
      staticCSP: true,
    });
  });
}
