import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFromProfile } from '../../../src/domain/accounts/actor.js';
import { authorize } from '../../helpers/authorize.js';
import { DIALECTS } from '../../helpers/databases.js';
import { ADMIN, ALICE, BOB, seedClient } from '../../helpers/fixtures.js';
import { HttpSession } from '../../helpers/http-session.js';
import { startKeyedServer, type KeyedServer } from '../../helpers/oauth2-keys.js';
import { openForm, postFields, signIn } from '../../helpers/site.js';
import { seedOAuth1Consumer } from '../oauth1/oauth1-fixtures.js';
import { runPython } from '../oauth1/python-client.js';

const REG = '/wiki/Special:OAuthConsumerRegistration';

/** Owners disable their own consumer (docs/mediawiki-compat.md "Owners disabling their consumer"). */
describe.each(DIALECTS)('owners disabling their consumer on %s', (_name, makeDb) => {
  let keyed: KeyedServer;

  beforeAll(async () => {
    keyed = await startKeyedServer(makeDb);
  });

  afterAll(() => keyed?.close());

  const token = async (body: Record<string, string>) => {
    const res = await fetch(`${keyed.base}/access_token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
  const profileStatus = async (value: string) => (await fetch(`${keyed.base}/resource/profile`, { headers: { authorization: `Bearer ${value}` } })).status;

  it('the owner disables an OAuth 2 client on its update page: its tokens stop at once, the log says who, and only an administrator re-enables it', async () => {
    const services = keyed.server.services;
    const app = await seedClient(services, { owner: ALICE.name, grants: ['basic'] });
    const bobs = await authorize(new HttpSession(keyed.server.issuer), `${keyed.base}/authorize?${new URLSearchParams({ response_type: 'code', client_id: app.key, redirect_uri: app.redirectUri, state: 's' })}`, BOB);
    const issued = await token({ grant_type: 'authorization_code', code: bobs.callback!.searchParams.get('code')!, redirect_uri: app.redirectUri, client_id: app.key, client_secret: app.secret });
    expect(issued.status).toBe(200);
    const machine = await token({ grant_type: 'client_credentials', client_id: app.key, client_secret: app.secret });
    expect(await profileStatus(issued.json.access_token)).toBe(200);

    // Someone else cannot use the owner's form, even with a valid session and CSRF token of their own.
    const alice = await signIn(keyed.server.issuer, ALICE);
    const form = await openForm(alice, `${REG}/update/${app.key}`, 'mw-consumer-disable-form');
    expect(form.action).toBe(`${REG}/disable/${app.key}`);
    const bob = await signIn(keyed.server.issuer, BOB);
    const bobToken = (await openForm(bob, `${REG}/propose/oauth2`, 'mw-consumer-propose-form')).fields.wpEditToken!;
    expect((await postFields(bob, form.action, [['wpEditToken', bobToken], ['wpchangeToken', form.fields.wpchangeToken!]])).status).toBe(403);
    // Without the session's CSRF token nothing changes.
    expect((await postFields(alice, form.action, [['wpchangeToken', form.fields.wpchangeToken!]])).status).toBe(400);
    expect((await services.consumers.findByKey(app.key))!.stage).toBe('approved');

    const done = await postFields(alice, form.action, [...Object.entries(form.fields), ['wpreason', 'no longer used']]);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('id="mw-disabled-message"');
    expect((await services.consumers.findByKey(app.key))!.stage).toBe('disabled');
    const alicesId = (await services.accounts.findByName(ALICE.name))!.id;
    expect((await services.log.forConsumer(app.key))[0]).toMatchObject({ action: 'disable', actor: alicesId, comment: 'no longer used' });

    // At once, on this instance: access tokens, machine tokens, refresh and new tokens are refused.
    expect(await profileStatus(issued.json.access_token)).toBe(401);
    expect(await profileStatus(machine.json.access_token)).toBe(401);
    expect((await token({ grant_type: 'refresh_token', refresh_token: issued.json.refresh_token, client_id: app.key, client_secret: app.secret })).json.error).toBe('invalid_client');
    expect((await token({ grant_type: 'client_credentials', client_id: app.key, client_secret: app.secret })).status).toBe(401);
    // The form is gone, and disabling twice is refused.
    expect((await openForm(alice, `${REG}/update/${app.key}`)).html).not.toContain('mw-consumer-disable-form');
    const again = await postFields(alice, form.action, [['wpEditToken', form.fields.wpEditToken!], ['wpchangeToken', form.fields.wpchangeToken!]]);
    expect(again.status).toBe(400);

    // Re-enabling is an administrator's review action; the owner has none.
    const admin = (await services.accounts.findByName(ADMIN.name))!;
    const adminActor = actorFromProfile((await services.accounts.profile(admin.id))!);
    const disabled = (await services.consumers.findByKey(app.key))!;
    await services.consumerWorkflow.review(adminActor, app.key, { action: 'reenable', reason: 'asked by owner', changeToken: services.consumerWorkflow.changeToken(adminActor, disabled) });
    expect((await token({ grant_type: 'client_credentials', client_id: app.key, client_secret: app.secret })).status).toBe(200);
  });

  it('works for OAuth 1.0a consumers too: the owner\'s access token no longer identifies', async () => {
    const services = keyed.server.services;
    const tool = await seedOAuth1Consumer(services, { owner: ALICE.name, ownerOnly: true, callbackUrl: '' });
    const mwUri = `${keyed.server.issuer}/w/index.php`;
    const identify = () => runPython<{ identity?: Record<string, unknown>; error?: string }>(['mwoauth-identify', mwUri, tool.key, tool.secret, tool.ownerAccess!.token, tool.ownerAccess!.secret]);
    expect((await identify()).identity?.username).toBe(ALICE.name);

    const alice = await signIn(keyed.server.issuer, ALICE);
    const form = await openForm(alice, `${REG}/update/${tool.key}`, 'mw-consumer-disable-form');
    expect((await postFields(alice, form.action, Object.entries(form.fields))).status).toBe(200);
    expect((await services.consumers.findByKey(tool.key))!.stage).toBe('disabled');
    expect((await identify()).error).toMatch(/set up incorrectly/);
  });
});
