import { BASIC } from './harness/flow.js';
import { definePlanSuite } from './harness/plan-suite.js';
import { BASIC_PLAN } from './modules/basic.js';

definePlanSuite({
  plan: 'oidcc-basic-certification-test-plan',
  title: '[server_metadata=discovery][client_registration=static_client]',
  variant: BASIC,
  modules: BASIC_PLAN,
});
