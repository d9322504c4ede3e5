import { ScopeMatch } from '../../../lib';
import { SCOPE_MATCH_NAMES } from '../../../lib/private/contracts/route-table';

describe('the route table contract', () => {
  test('its scope-match names are exactly the values of the public ScopeMatch enum (one concept, no conversion)', () => {
    expect([...SCOPE_MATCH_NAMES].sort()).toEqual(Object.values(ScopeMatch).sort());
  });
});
