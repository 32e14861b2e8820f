import { BASIC } from './harness/flow.js';
import { definePlanSuite } from './harness/plan-suite.js';
import { BASIC_PLAN } from './modules/basic.js';

// CS OIDCCFormPostBasicTestPlan: the Basic plan's modules with response_mode=form_post.
definePlanSuite({
  plan: 'oidcc-formpost-basic-certification-test-plan',
  title: '[server_metadata=discovery][client_registration=static_client]',
  variant: { ...BASIC, responseMode: 'form_post' },
  modules: BASIC_PLAN,
});
