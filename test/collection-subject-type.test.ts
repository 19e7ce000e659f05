/**
 * Whose code an event concerns decides masking on every platform door (screening, consolidated
 * lists, feed, warning list). An event that does not say must never be taken for an
 * organisation's: it is read from the code, and a code that reads as neither is a person's.
 */
import { describe, expect, it } from 'vitest';
import { subjectTypeOf } from '../subgraphs/platform/collection.js';

const event = (creditCode: string, subjectType?: unknown) => ({ creditCode, payload: subjectType === undefined ? {} : { subjectType } });

describe('the platform reads whose code an event concerns, failing closed', () => {
  it('takes what the department stated', () => {
    expect(subjectTypeOf(event('914403001922038216', 'ORGANISATION'))).toBe('ORGANISATION');
    expect(subjectTypeOf(event('11010519491231002X', 'NATURAL_PERSON'))).toBe('NATURAL_PERSON');
  });
  it('reads an unstated or unknown type from the code', () => {
    for (const stated of [undefined, null, '', 'PERSON', 'organisation']) {
      expect(subjectTypeOf(event('11010519491231002X', stated)), String(stated)).toBe('NATURAL_PERSON');
      expect(subjectTypeOf(event('914403001922038216', stated)), String(stated)).toBe('ORGANISATION');
    }
  });
  it('counts a code that reads as neither as a natural person (masked)', () => {
    for (const code of ['', 'X', '110105194912310021', '91440300192203821X']) expect(subjectTypeOf(event(code)), code).toBe('NATURAL_PERSON');
  });
});
