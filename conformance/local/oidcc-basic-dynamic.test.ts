import { BASIC } from './harness/flow.js';
import { definePlanSuite } from './harness/plan-suite.js';
import { BASIC_PLAN } from './modules/basic.js';

// The dynamic_client variant: every module registers its client(s) through RFC 7591 with the
// initial access token, and deletes them (RFC 7592) when it ends.
definePlanSuite({
  plan: 'oidcc-basic-certification-test-plan',
  expectedKey: 'oidcc-basic-certification-test-plan[client_registration=dynamic_client]',
  title: '[server_metadata=discovery][client_registration=dynamic_client]',
  variant: { ...BASIC, registration: 'dynamic_client' },
  modules: BASIC_PLAN,
});
