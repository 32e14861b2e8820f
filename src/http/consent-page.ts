import type { Context } from 'koa';
import type { Consumer } from '../domain/consumers/consumer.js';
import { renderPage } from './render.js';
import { describeScopes } from './permissions.js';

export interface ConsentPage {
  readonly consumer: Consumer;
  readonly ownerName: string | undefined;
  readonly userName: string;
  /** Where the form posts. */
  readonly action: string;
  readonly csrfToken: string;
  /** Where accepting sends the user (its host is shown). */
  readonly returnsTo: string;
  readonly scopes: readonly string[];
}

/** The one consent view, for OAuth 2 / OIDC and OAuth 1.0a alike (same grant wording). */
export async function renderConsentPage(ctx: Context, page: ConsentPage): Promise<void> {
  const { consumer } = page;
  await renderPage(ctx, 'consent', {
    title: `Allow ${consumer.name}?`,
    action: page.action,
    csrfToken: page.csrfToken,
    userName: page.userName,
    app: {
      name: consumer.name,
      version: consumer.version,
      owner: page.ownerName ?? 'an unknown user',
      description: consumer.description,
      stage: consumer.stage,
      redirectHost: hostOf(page.returnsTo),
    },
    permissions: describeScopes(page.scopes),
  });
}

function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}
