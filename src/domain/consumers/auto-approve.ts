import type { Consumer } from './consumer.js';

/** One `$wgOAuthAutoApprove` condition (the same shape as Config's). */
export interface AutoApproveCondition {
  readonly grants?: readonly string[];
  readonly protocols?: readonly string[];
}

/**
 * Workflow::consumerCanBeAutoApproved: a low-risk proposal skips review when any one condition
 * holds; inside a condition every rule must hold: `grants` = every consumer grant is listed
 * (`basic` too), `protocols` = the callback URL's scheme is listed. A rule this code does not know
 * fails its condition. A prefix callback on port 1 (the wildcard port) is never auto-approved.
 */
export function canBeAutoApproved(
  consumer: Pick<Consumer, 'grants' | 'callbackUrl' | 'callbackIsPrefix'>,
  conditions: readonly AutoApproveCondition[],
): boolean {
  const url = parseUrl(consumer.callbackUrl);
  if (consumer.callbackIsPrefix && url?.port === '1') return false;
  const scheme = url?.protocol.slice(0, -1).toLowerCase();
  return conditions.some((condition) =>
    Object.entries(condition).every(([rule, list]: [string, readonly string[]]) => {
      if (rule === 'grants') return consumer.grants.every((grant) => list.includes(grant));
      if (rule === 'protocols') return scheme !== undefined && list.includes(scheme);
      return false;
    }),
  );
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
