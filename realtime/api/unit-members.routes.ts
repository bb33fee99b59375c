import { createRoute, z } from '@hono/zod-openapi';
import { DecideEmployeeInput, MemberRoleChangeView, OrganisationMemberView, SetMemberRoleInput, UnitEmployeeView } from '../../core/mall/units.schema';
import { requestContext } from './auth.routes';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, jsonBody } from './schemas';

const EmployeeStatus = z.enum(['pending', 'approved', 'rejected']);

const userParam = z.object({ userId: z.string() });
const T = ['mall'];

const routes = {
  employees: createRoute({
    method: 'get',
    path: '/mall/unit/employees',
    tags: T,
    summary: '员工审核：登记在本单位的个人用户（按状态）',
    description:
      'For the owner and admins of the unit acted for. Individuals who name a unit count for its statistics at once but act for it only once approved here.',
    security: authed,
    request: { query: z.object({ status: EmployeeStatus.optional() }) },
    responses: { 200: json(z.array(UnitEmployeeView), 'Employees with that status, oldest first'), ...errorResponses(400, 401, 403) },
  }),
  decideEmployee: createRoute({
    method: 'post',
    path: '/mall/unit/employees/{userId}/decision',
    tags: T,
    summary: '员工审核：通过（成为本单位成员）或不通过',
    description: 'The employee is told by site message; an audit row (organisation.member_approved / organisation.member_rejected) is written.',
    security: authed,
    request: { params: userParam, body: jsonBody(DecideEmployeeInput) },
    responses: { 200: json(UnitEmployeeView, 'Decided'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  members: createRoute({
    method: 'get',
    path: '/organisation/members',
    tags: ['organisations'],
    summary: '本组织成员及角色',
    security: authed,
    responses: { 200: json(z.array(OrganisationMemberView), 'Members, oldest first'), ...errorResponses(401, 403) },
  }),
  setRole: createRoute({
    method: 'put',
    path: '/organisation/members/{userId}/role',
    tags: ['organisations'],
    summary: '设置成员角色（管理员、财务人员、成员）',
    description: 'Owner and admins only; the owner’s role and one’s own are not changed here. Finance may see and move the organisation’s money.',
    security: authed,
    request: { params: userParam, body: jsonBody(SetMemberRoleInput) },
    responses: { 200: json(MemberRoleChangeView, 'The new role'), ...errorResponses(400, 401, 403, 404) },
  }),
};

/** Who may act for a unit: its pending employees and the roles of its members. */
export function registerUnitMemberRoutes(api: ApiRouter) {
  api.openapi(routes.employees, async (c) => c.json(await c.var.services.units.listEmployees(c.var.actor, c.req.valid('query').status), 200));
  api.openapi(routes.decideEmployee, async (c) =>
    c.json(await c.var.services.units.decideEmployee(c.var.actor, c.req.valid('param').userId, c.req.valid('json'), requestContext(c).ip), 200),
  );
  api.openapi(routes.members, async (c) => c.json(await c.var.services.units.listMembers(c.var.actor), 200));
  api.openapi(routes.setRole, async (c) =>
    c.json(await c.var.services.units.setMemberRole(c.var.actor, c.req.valid('param').userId, c.req.valid('json'), requestContext(c).ip), 200),
  );
}
