// SPDX-License-Identifier: Apache-2.0
// The admin console's sections and the permission that shows each: the admin console draws
// its navigation from this list, and the account console links to the admin console exactly
// when it would show at least one section.
import { issuer } from './api.js';

const inDefault = issuer.endsWith('/t/default');

// One entry per section: path, link text, the permission that shows it, its module.
// A section joins with one line here and one module admin-<name>.js.
const SECTIONS = [
  ['users', 'Users', 'users:read', './admin-users.js'],
  ['organizations', 'Organizations', 'organizations:read', './admin-organizations.js'],
  ['groups', 'Groups', 'groups:read', './admin-groups.js'],
  ['roles', 'Roles', 'roles:read', './admin-roles.js'],
  ['applications', 'Applications', 'applications:read', './admin-applications.js'],
  ['providers', 'Providers', 'providers:read', './admin-providers.js'],
  ['identity-providers', 'Identity providers', 'identity_providers:read', './admin-idps.js'],
  ['webhooks', 'Webhooks', 'webhooks:read', './admin-webhooks.js'],
  ['policies', 'Policies', 'policies:read', './admin-policies.js'],
  ['audit', 'Audit log', 'audit:read', './admin-audit.js'],
  ['settings', 'Settings', 'tenant:read', './admin-settings.js'],
  ...(inDefault ? [['tenants', 'Tenants', 'tenants:read', './admin-tenants.js']] : []),
];

/** The sections a person may open, given can(resource, action). */
export function visibleSections(can) {
  return SECTIONS.filter(([, , perm]) => can(...perm.split(':')));
}
