/**
 * DELETE /api/v1/tenants/:tenant: forget everything of the tenant (blobs, vectors, metadata) and revoke
 * its API keys. Only the tenant's own key may do it.
 */
import type { FastifyInstance } from 'fastify';

import type { RouteContext } from '../route-context.js';
import { HttpProblem } from '../problem.js';
import { tenantParams } from '../schemas.js';

export function registerTenantRoutes(app: FastifyInstance, { deps }: RouteContext): void {
  app.delete(
    '/api/v1/tenants/:tenant',
    {
      schema: { params: tenantParams, response: { 204: { type: 'null' } } },
      config: {
        doc: {
          summary: 'Forget everything of the tenant',
          description: 'Photos, faces, people, albums and the tenant’s API keys. Cannot be undone.',
          tags: ['privacy'],
          problems: [400, 403],
        },
      },
    },
    async (request, reply) => {
      const { tenant } = request.params as { tenant: string };
      if (tenant !== request.tenant)
        throw new HttpProblem('FORBIDDEN', 'a key can only forget its own tenant');
      await deps.services.privacy.forgetTenant(tenant);
      const revoked = await deps.apiKeys.revokeTenant(tenant);
      request.log.info({ revoked }, 'tenant forgotten');
      return reply.code(204).send();
    },
  );
}
