import { BASIC } from './harness/flow.js';
import { definePlanSuite } from './harness/plan-suite.js';
import { BASIC_PLAN } from './modules/basic.js';
import { DYNAMIC_REGISTRATION_MODULES } from './modules/dynamic.js';

// The three runs of the Basic module list, side by side (their modules mostly wait).

definePlanSuite({
  plan: 'oidcc-basic-certification-test-plan',
  title: '[server_metadata=discovery][client_registration=static_client]',
  variant: BASIC,
  modules: BASIC_PLAN,
});

// CS OIDCCFormPostBasicTestPlan: the Basic plan's modules with response_mode=form_post.
definePlanSuite({
  plan: 'oidcc-formpost-basic-certification-test-plan',
  title: '[server_metadata=discovery][client_registration=static_client]',
  variant: { ...BASIC, responseMode: 'form_post' },
  modules: BASIC_PLAN,
});

// The dynamic_client variant: every module registers its client(s) through RFC 7591 with the
// initial access token, and deletes them (RFC 7592) when it ends.
definePlanSuite({
  plan: 'oidcc-basic-certification-test-plan',
  expectedKey: 'oidcc-basic-certification-test-plan[client_registration=dynamic_client]',
  title: '[server_metadata=discovery][client_registration=dynamic_client]',
  variant: { ...BASIC, registration: 'dynamic_client' },
  modules: BASIC_PLAN,
});

// Modules of the Dynamic OP plan that test registration itself (that plan as a whole needs implicit).
definePlanSuite({
  plan: 'oidcc-dynamic-certification-test-plan',
  title: '(registration modules) [response_type=code][client_registration=dynamic_client]',
  variant: { ...BASIC, registration: 'dynamic_client' },
  modules: DYNAMIC_REGISTRATION_MODULES,
});
