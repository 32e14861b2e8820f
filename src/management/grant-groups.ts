import { GRANTS, HIDDEN_GRANTS, AUTH_ONLY_GRANTS, type GrantInfo } from '../domain/grants/catalogue.js';

const GROUP_LABELS: Readonly<Record<string, string>> = {
  'page-interaction': 'Interact with pages',
  'file-interaction': 'Interact with media',
  'watchlist-interaction': 'Interact with your watchlist',
  email: 'Send email',
  'high-volume': 'Perform high volume activity',
  customization: 'Customization and preferences',
  administration: 'Perform administrative actions',
  'private-information': 'Access your private information',
  hidden: 'Hidden grants',
  identity: 'Identity only',
};

export function groupLabel(group: string): string {
  return GROUP_LABELS[group] ?? 'Other';
}

/** The selectable grants of the registration form, by group (hidden and auth-only ones are not selectable). */
export function selectableGrantGroups(): Array<{ label: string; grants: GrantInfo[] }> {
  const groups = new Map<string, GrantInfo[]>();
  for (const grant of GRANTS.values()) {
    if (HIDDEN_GRANTS.includes(grant.name) || AUTH_ONLY_GRANTS.includes(grant.name)) continue;
    groups.set(grant.group, [...(groups.get(grant.group) ?? []), grant]);
  }
  return [...groups].map(([group, grants]) => ({ label: groupLabel(group), grants }));
}
