import type { VisitResult } from '../harness/browser.js';
import type { ModuleRun } from '../harness/module-run.js';
import type { ConformanceOp } from '../harness/op.js';
import { OidccTest, type Variant } from '../harness/flow.js';

/** One suite module, as the local suite runs it. */
export interface ModuleDefinition {
  readonly name: string;
  /** The plan leaves the module out for some variants (@VariantNotApplicable). */
  readonly appliesTo?: (variant: Variant) => boolean;
  /** Variant values the plan fixes for this module (oidcc-server-client-secret-post). */
  readonly variant?: Partial<Variant>;
  run(run: ModuleRun, op: ConformanceOp, variant: Variant): Promise<void>;
}

/** configure → module body → cleanup (unregister a dynamically registered client). */
export async function withTest(
  run: ModuleRun,
  op: ConformanceOp,
  variant: Variant,
  body: (t: OidccTest) => Promise<void>,
  registration: Record<string, unknown> = {},
  beforeClient?: (t: OidccTest) => void,
): Promise<void> {
  const t = new OidccTest(run, op, variant);
  try {
    await t.configure(registration, beforeClient);
    await body(t);
  } finally {
    await t.unregisterClient();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CheckIdTokenAuthTimeClaimsSameIfPresent + CheckIdTokenSubConsistentForSecondAuthorization. */
export function sameAuthTwice(run: ModuleRun, first: Record<string, unknown>, second: Record<string, unknown>): void {
  const both = first.auth_time !== undefined && second.auth_time !== undefined;
  run.check('CheckIdTokenAuthTimeClaimsSameIfPresent', !both || first.auth_time === second.auth_time, 'FAILURE', `auth_time ${String(first.auth_time)} then ${String(second.auth_time)}`, 'OIDCC-2');
  run.check('CheckIdTokenSubConsistentForSecondAuthorization', first.sub === second.sub, 'FAILURE', `sub ${String(first.sub)} then ${String(second.sub)}`, 'OIDCC-2');
}

/** CheckSecondIdTokenAuthTimeIsLaterIfPresent. */
export function secondAuthTimeLater(run: ModuleRun, first: Record<string, unknown>, second: Record<string, unknown>): void {
  const both = typeof first.auth_time === 'number' && typeof second.auth_time === 'number';
  run.check('CheckSecondIdTokenAuthTimeIsLaterIfPresent', !both || (second.auth_time as number) > (first.auth_time as number), 'FAILURE', `auth_time ${String(first.auth_time)} then ${String(second.auth_time)}`, 'OIDC-2');
}

/** The second login page must have been shown (the tester's screenshot; ExpectSecondLoginPage). */
export function expectPlaceholder(run: ModuleRun, condition: string, visit: VisitResult, what: string): void {
  if (visit.placeholders.length) for (const text of visit.placeholders) run.placeholder(text);
  else run.check(condition, false, 'FAILURE', `no ${what} was shown for the screenshot (${visit.error ?? `ended on ${visit.page.url}`})`);
}
