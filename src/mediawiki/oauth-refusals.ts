import type { Consumer } from '../domain/consumers/consumer.js';
import type { UseRefusal } from '../domain/grants/authorization-use.js';
import { OAuth1Errors, type OAuth1Error } from './oauth-errors.js';

/** A refused use of valid credentials, as MediaWiki words it (`mwoauth-invalid-authorization-*`). */
export function refusalError(refusal: UseRefusal, consumer: Consumer, wikiId: string): OAuth1Error {
  switch (refusal) {
    case 'wrong-wiki':
      return OAuth1Errors.wrongWiki(wikiId);
    case 'invalid-user':
      return OAuth1Errors.identifyInvalidUser();
    case 'blocked-user':
      return OAuth1Errors.identifyBlockedUser();
    case 'not-approved':
      return OAuth1Errors.identifyNotApproved(consumer.name);
  }
}
