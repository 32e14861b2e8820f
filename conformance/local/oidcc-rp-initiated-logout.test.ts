import { BASIC } from './harness/flow.js';
import { definePlanSuite } from './harness/plan-suite.js';
import { RP_INITIATED_LOGOUT_EXTRA, RP_INITIATED_LOGOUT_PLAN } from './modules/logout.js';

definePlanSuite({
  plan: 'oidcc-rp-initiated-logout-certification-test-plan',
  title: '[client_registration=static_client][response_type=code]',
  variant: BASIC,
  modules: [...RP_INITIATED_LOGOUT_PLAN, ...RP_INITIATED_LOGOUT_EXTRA],
});
