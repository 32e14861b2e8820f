import { BASIC } from './harness/flow.js';
import { definePlanSuite } from './harness/plan-suite.js';
import { DISCOVERY_ENDPOINT_VERIFICATION } from './modules/config.js';

// CS OIDCCConfigTestPlan: discovery + static client, one module.
definePlanSuite({
  plan: 'oidcc-config-certification-test-plan',
  title: '[server_metadata=discovery][client_registration=static_client]',
  variant: BASIC,
  modules: [DISCOVERY_ENDPOINT_VERIFICATION],
});
