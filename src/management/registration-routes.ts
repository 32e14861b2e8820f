import Router from '@koa/router';
import type { Context } from 'koa';
import { OAUTH2_GRANT_TYPES } from '../domain/consumers/consumer.js';
import type { CreatedConsumer } from '../domain/consumers/consumer-service.js';
import { checkPropose } from '../domain/consumers/consumer-transitions.js';
import { DEFAULT_RESTRICTIONS } from '../domain/consumers/restrictions.js';
import { DomainError, PermissionError } from '../domain/errors.js';
import { AUTH_ONLY_GRANTS } from '../domain/grants/catalogue.js';
import { readBody, type FormData } from '../http/request-body.js';
import { literalPath } from '../http/route-path.js';
import type { PagePaths } from '../http/site-paths.js';
import { formError } from './form-errors.js';
import { selectableGrantGroups } from './grant-groups.js';
import { presentConsumer, presentLog, STAGE_LABELS } from './consumer-presenter.js';
import { checkFormToken, offsetParam, PAGE_SIZE, pager, renderManagementPage, requireSignIn, userNames, type ManagementDeps, type SignedIn } from './page-context.js';

const VERSIONS = { oauth2: 2, oauth1a: 1 } as const;

interface ProposalValues {
  name: string;
  version: string;
  description: string;
  ownerOnly: boolean;
  callbackUrl: string;
  callbackIsPrefix: boolean;
  confidential: boolean;
  grantTypes: string[];
  granttype: string;
  grants: string[];
  restrictions: string;
  rsaKey: string;
}

const EMPTY_PROPOSAL: ProposalValues = {
  name: '',
  version: '1.0',
  description: '',
  ownerOnly: false,
  callbackUrl: '',
  callbackIsPrefix: false,
  confidential: true,
  grantTypes: ['authorization_code', 'refresh_token'],
  granttype: 'normal',
  grants: [],
  restrictions: DEFAULT_RESTRICTIONS,
  rsaKey: '',
};

/**
 * Special:OAuthConsumerRegistration (SpecialMWOAuthConsumerRegistration): propose an OAuth 2.0 or
 * 1.0a consumer, list mine, update one (restrictions, RSA key, secret reset). Secrets appear once,
 * on the page answering the proposal or the reset.
 */
export function registrationRoutes(deps: ManagementDeps, opts: { tokenEndpoint: string }): Router {
  const router = new Router();
  const base = deps.pages.registration;
  const nav = (current: string) =>
    [
      { href: base, text: 'Main' },
      { href: `${base}/propose/oauth2`, text: 'Propose new OAuth 2.0 client' },
      { href: `${base}/propose/oauth1a`, text: 'Propose new OAuth 1.0a consumer' },
      { href: `${base}/list`, text: 'My consumer list' },
    ].map((link) => ({ ...link, current: link.href === current }));

  router.get(literalPath(base), async (ctx) => {
    if (!(await requireSignIn(ctx, deps))) return;
    await renderManagementPage(ctx, 'registration-hub', { title: 'OAuth consumer registration', nav: nav(base), base });
  });
  router.get(`${literalPath(base)}/propose`, async (ctx) => {
    if (!(await requireSignIn(ctx, deps))) return;
    await renderManagementPage(ctx, 'registration-hub', { title: 'OAuth consumer registration', nav: nav(base), base });
  });

  const showProposeForm = async (ctx: Context, signedIn: SignedIn, oauthVersion: 1 | 2, values: ProposalValues, error: string | null, status = 200) => {
    const path = `${base}/propose/${oauthVersion === 2 ? 'oauth2' : 'oauth1a'}`;
    await renderManagementPage(
      ctx,
      'propose-form',
      {
        title: oauthVersion === 2 ? 'Propose a new OAuth 2.0 client' : 'Propose a new OAuth 1.0a consumer',
        nav: nav(path),
        action: path,
        csrfToken: signedIn.csrfToken,
        oauthVersion,
        values,
        error,
        email: signedIn.actor.email,
        userName: signedIn.actor.name,
        grantTypes: OAUTH2_GRANT_TYPES,
        grantGroups: selectableGrantGroups(),
      },
      status,
    );
  };

  router.get(`${literalPath(base)}/propose/:protocol`, async (ctx) => {
    const oauthVersion = VERSIONS[ctx.params.protocol as keyof typeof VERSIONS];
    if (!oauthVersion) return;
    const signedIn = await requireSignIn(ctx, deps);
    if (!signedIn) return;
    checkPropose(signedIn.actor);
    await showProposeForm(ctx, signedIn, oauthVersion, EMPTY_PROPOSAL, null);
  });

  router.post(`${literalPath(base)}/propose/:protocol`, async (ctx) => {
    const oauthVersion = VERSIONS[ctx.params.protocol as keyof typeof VERSIONS];
    if (!oauthVersion) return;
    const signedIn = await requireSignIn(ctx, deps);
    if (!signedIn) return;
    const form = await readBody(ctx);
    checkFormToken(deps, signedIn, form);
    await deps.limiter.hit('propose', { ip: ctx.ip, user: String(signedIn.actor.id) });
    const values = proposalValues(form, oauthVersion);
    let created: CreatedConsumer;
    try {
      if (form.one('wpagreement') !== '1') throw new DomainError('agreement_required', 'Please accept the application policy.');
      created = await deps.workflow.propose(signedIn.actor, proposalInput(values, oauthVersion));
    } catch (err) {
      const error = formError(err);
      if (error === undefined) throw err;
      await showProposeForm(ctx, signedIn, oauthVersion, values, error, 400);
      return;
    }
    await showCreated(ctx, created, { nav: nav(base), tokenEndpoint: opts.tokenEndpoint, pages: deps.pages });
  });

  router.get(`${literalPath(base)}/list`, async (ctx) => {
    const signedIn = await requireSignIn(ctx, deps);
    if (!signedIn) return;
    const offset = offsetParam(ctx);
    const { actor } = signedIn;
    const { consumers, total } = await deps.consumers.list({ ownerId: actor.id, includeDeleted: actor.rights.has('mwoauthviewsuppressed'), limit: PAGE_SIZE, offset });
    const rows = consumers.map((c) => presentConsumer(c, actor, actor.name));
    await renderManagementPage(ctx, 'my-consumers', {
      title: 'Your OAuth consumers',
      nav: nav(`${base}/list`),
      base,
      listBase: deps.pages.listConsumers,
      rows,
      total,
      pager: pager(`${base}/list?`, offset, total),
    });
  });

  const showUpdateForm = async (ctx: Context, signedIn: SignedIn, key: string, error: string | null, status = 200) => {
    const consumer = await deps.workflow.view(signedIn.actor, key);
    if (consumer.ownerId !== signedIn.actor.id) throw new PermissionError('mwoauthupdateownconsumer', 'Only the owner of an application can update it with the "mwoauthupdateownconsumer" right');
    const names = await userNames(deps, (await deps.log.forConsumer(consumer.key)).map((e) => e.actor));
    await renderManagementPage(
      ctx,
      'update-form',
      {
        title: `Update OAuth consumer: ${consumer.name}`,
        nav: nav(`${base}/list`),
        action: `${base}/update/${consumer.key}`,
        csrfToken: signedIn.csrfToken,
        changeToken: deps.workflow.changeToken(signedIn.actor, consumer),
        consumer: presentConsumer(consumer, signedIn.actor, signedIn.actor.name),
        oauthVersion: consumer.oauthVersion,
        values: { restrictions: consumer.restrictions, rsaKey: consumer.rsaKey ?? '' },
        disableAction: consumer.stage === 'approved' ? `${base}/disable/${consumer.key}` : null,
        log: presentLog(await deps.log.forConsumer(consumer.key), names),
        error,
      },
      status,
    );
  };

  router.get(`${literalPath(base)}/update/:key`, async (ctx) => {
    const signedIn = await requireSignIn(ctx, deps);
    if (!signedIn) return;
    await showUpdateForm(ctx, signedIn, ctx.params.key!, null);
  });

  router.post(`${literalPath(base)}/update/:key`, async (ctx) => {
    const signedIn = await requireSignIn(ctx, deps);
    if (!signedIn) return;
    const form = await readBody(ctx);
    checkFormToken(deps, signedIn, form);
    const key = ctx.params.key!;
    let result;
    try {
      result = await deps.workflow.update(signedIn.actor, key, {
        changeToken: form.one('wpchangeToken') ?? '',
        resetSecret: form.one('wpresetSecret') === '1',
        ...(form.has('wprestrictions') ? { restrictions: form.one('wprestrictions') ?? '' } : {}),
        ...(form.has('wprsaKey') ? { rsaKey: form.one('wprsaKey') ?? '' } : {}),
        reason: form.one('wpreason') ?? '',
      });
    } catch (err) {
      const error = formError(err);
      if (error === undefined) throw err;
      await showUpdateForm(ctx, signedIn, key, error, 400);
      return;
    }
    await renderManagementPage(ctx, 'updated', {
      title: 'Consumer updated',
      nav: nav(`${base}/list`),
      base,
      key: result.consumer.key,
      changed: result.changed,
      secret: result.secret ?? null,
      ownerAccess: result.ownerAccess ?? null,
      ownerAccessToken: result.ownerAccessToken ?? null,
    });
  });

  // The owner disables their own consumer (docs/mediawiki-compat.md "Owners disabling their consumer").
  router.post(`${literalPath(base)}/disable/:key`, async (ctx) => {
    const signedIn = await requireSignIn(ctx, deps);
    if (!signedIn) return;
    const form = await readBody(ctx);
    checkFormToken(deps, signedIn, form);
    const key = ctx.params.key!;
    let consumer;
    try {
      consumer = await deps.workflow.disableOwn(signedIn.actor, key, { changeToken: form.one('wpchangeToken') ?? '', reason: form.one('wpreason') ?? '' });
    } catch (err) {
      const error = formError(err);
      if (error === undefined) throw err;
      await showUpdateForm(ctx, signedIn, key, error, 400);
      return;
    }
    await renderManagementPage(ctx, 'disabled', { title: 'Consumer disabled', nav: nav(`${base}/list`), base, name: consumer.name });
  });

  return router;
}

async function showCreated(ctx: Context, created: CreatedConsumer, { nav, tokenEndpoint, pages }: { nav: unknown; tokenEndpoint: string; pages: PagePaths }): Promise<void> {
  const { consumer } = created;
  const oauth2 = consumer.oauthVersion === 2;
  const message = consumer.ownerOnly
    ? `Your ${oauth2 ? 'OAuth 2.0 client' : 'OAuth consumer'} has been created and is ready for your own use.`
    : consumer.stage === 'approved'
      ? `Your ${oauth2 ? 'OAuth 2.0 client' : 'OAuth consumer'} has been created and is ready to use.`
      : `Your ${oauth2 ? 'OAuth 2.0 client' : 'OAuth consumer'} request has been received. An administrator will review it; until then only you can use it.`;
  await renderManagementPage(ctx, 'created', {
    title: 'Consumer created',
    heading: `${consumer.name} (${STAGE_LABELS[consumer.stage]})`,
    nav,
    base: pages.registration,
    listBase: pages.listConsumers,
    message,
    key: consumer.key,
    keyLabel: oauth2 ? 'Client application key' : 'Consumer token',
    secret: created.secret,
    secretLabel: oauth2 ? 'Client application secret' : 'Consumer secret',
    ownerAccess: created.ownerAccess ?? null,
    ownerAccessToken: created.ownerAccessToken ?? null,
    ownerOnlyOAuth2: consumer.ownerOnly && oauth2,
    tokenEndpoint,
  });
}

function proposalValues(form: FormData, oauthVersion: 1 | 2): ProposalValues {
  const text = (name: string, fallback = '') => form.one(name) ?? fallback;
  return {
    name: text('wpname'),
    version: text('wpversion', '1.0'),
    description: text('wpdescription'),
    ownerOnly: form.one('wpownerOnly') === '1',
    callbackUrl: text('wpcallbackUrl'),
    callbackIsPrefix: oauthVersion === 1 && form.one('wpcallbackIsPrefix') === '1',
    confidential: form.one('wpoauth2IsConfidential') === '1',
    grantTypes: form.all('wpoauth2GrantTypes'),
    granttype: text('wpgranttype', 'normal'),
    grants: form.all('wpgrants'),
    restrictions: text('wprestrictions', DEFAULT_RESTRICTIONS),
    rsaKey: oauthVersion === 1 ? text('wprsaKey') : '',
  };
}

/** The form's grant type radio (ConsumerSubmitControl "granttype") → the grant list proposed. */
function proposalInput(values: ProposalValues, oauthVersion: 1 | 2) {
  let grants: string[];
  switch (values.granttype) {
    case 'authonly':
      grants = ['mwoauth-authonly'];
      break;
    case 'authonlyprivate':
      grants = ['mwoauth-authonlyprivate'];
      break;
    case 'normal':
      grants = values.grants.filter((g) => !AUTH_ONLY_GRANTS.includes(g));
      break;
    default:
      throw new DomainError('invalid_grant_type', 'Choose which kind of grants the application needs');
  }
  if (oauthVersion === 2 && !values.ownerOnly && values.grantTypes.length === 0) {
    throw new DomainError('invalid_grant_type', 'Choose at least one OAuth 2 grant type');
  }
  return {
    name: values.name,
    version: values.version,
    description: values.description,
    callbackUrl: values.callbackUrl,
    grants,
    oauthVersion,
    ownerOnly: values.ownerOnly,
    restrictions: values.restrictions,
    ...(oauthVersion === 1
      ? { callbackIsPrefix: values.callbackIsPrefix, rsaKey: values.rsaKey }
      : { oauth2IsConfidential: values.confidential, oauth2GrantTypes: values.grantTypes }),
  };
}
