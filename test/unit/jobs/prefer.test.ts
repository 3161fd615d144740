import { describe, expect, it } from 'vitest';
import { preferences, prefersRespondAsync } from '../../../lib/core/jobs/prefer';

describe('the Prefer header (RFC 7240)', () => {
  it('reads each preference of a list, names in lower case, values unquoted, parameters set aside', () => {
    const prefs = preferences('return=minimal, Respond-Async; x=1, wait=10, handling="lenient, or not"');
    expect([...prefs]).toEqual([
      ['return', 'minimal'],
      ['respond-async', ''],
      ['wait', '10'],
      ['handling', 'lenient, or not'],
    ]);
  });

  it('keeps the first of a repeated preference (section 2)', () => {
    expect(preferences('wait=5, wait=10').get('wait')).toBe('5');
  });

  it('takes respond-async wherever it stands, and nothing else for it', () => {
    expect(prefersRespondAsync({ prefer: 'respond-async' })).toBe(true);
    expect(prefersRespondAsync({ prefer: 'wait=3,respond-async' })).toBe(true);
    expect(prefersRespondAsync({ prefer: 'handling="respond-async"' })).toBe(false);
    expect(prefersRespondAsync({ prefer: 'respond-asynchronously' })).toBe(false);
    expect(prefersRespondAsync({ prefer: '' })).toBe(false);
    expect(prefersRespondAsync({})).toBe(false);
  });

  it('survives malformed lists: empty items, a lone quote, stray separators', () => {
    // An unterminated quote runs to the end: what follows it is its text, not a preference.
    expect([...preferences(',,; ;, "unterminated, respond-async')].map(([k]) => k)).toEqual(['"unterminated, respond-async']);
    expect(prefersRespondAsync({ prefer: '"unterminated, respond-async' })).toBe(false);
    expect(prefersRespondAsync({ prefer: ' , respond-async ,, ' })).toBe(true);
  });
});
