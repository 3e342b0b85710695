// Columns that single patients out are left out by default, with the reason; the owner may
// include one by name. Checked on real profiles of small synthetic files.
import { describe, expect, it } from 'vitest';
import { TableProfiler } from '../../../../src-main/core/data/profile';
import { missingMatcher } from '../../../../src-main/core/data/values';

function profile(columns: Record<string, string[]>, options: { include?: string[]; target?: string } = {}) {
  const header = Object.keys(columns);
  const profiler = new TableProfiler(header, missingMatcher());
  const rows = columns[header[0]!]!.length;
  for (let r = 0; r < rows; r += 1) profiler.pushRow(header.map((name) => columns[name]![r]!), r + 2);
  const result = profiler.finish('f.csv', { include: options.include ?? [] }, options.target);
  return Object.fromEntries(result.columns.map((column) => [column.name, column]));
}

const N = 60;
const seq = (f: (i: number) => string) => Array.from({ length: N }, (_, i) => f(i));

describe('quasi-identifiers', () => {
  it('leaves out names, e-mail, phone, postcode and birth date columns by their names', () => {
    const columns = profile({
      surname: seq((i) => ['Smith', 'Jones', 'Brown'][i % 3]!),
      'First Name': seq((i) => ['Ann', 'Bob'][i % 2]!),
      email: seq((i) => `p${i % 4}@x.org`),
      phone_number: seq((i) => `0${i % 3}`),
      postcode: seq((i) => ['AB1', 'CD2'][i % 2]!),
      dob: seq((i) => `19${50 + (i % 3)}`),
      drug_name: seq((i) => ['aspirin', 'statin'][i % 2]!),
      ward: seq((i) => ['A', 'B', 'C'][i % 3]!),
    });
    for (const name of ['surname', 'First Name', 'email', 'phone_number', 'postcode', 'dob']) {
      expect(columns[name], name).toMatchObject({ excluded: true });
      expect(columns[name]!.quasiIdentifier, name).toMatch(/its name says it holds/);
    }
    expect(columns['drug_name']).toMatchObject({ excluded: false });
    expect(columns['ward']).toMatchObject({ excluded: false });
    expect(columns['ward']!.quasiIdentifier).toBeUndefined();
  });

  it('leaves out dates, postcodes and free text by their values', () => {
    const columns = profile({
      admitted: seq((i) => `2024-0${1 + (i % 3)}-1${i % 4}`),
      area: seq((i) => ['SW1A 1AA', 'EC1A 1BB', 'W1A 0AX'][i % 3]!),
      notes: seq((i) => `patient reports mild pain in the ${['left', 'right'][i % 2]} knee`),
    });
    expect(columns['admitted']!.quasiIdentifier).toMatch(/dates/);
    expect(columns['area']!.quasiIdentifier).toMatch(/postcodes/);
    expect(columns['notes']!.quasiIdentifier).toMatch(/free text/);
    for (const name of ['admitted', 'area', 'notes']) expect(columns[name]!.excluded).toBe(true);
  });

  it('leaves out mostly unique values and categories too many for the rows (more than a third)', () => {
    const columns = profile({
      code: seq((i) => `K${Math.floor(i / 1.5)}`), // 40 levels on 60 rows: mostly unique
      clinic: seq((i) => `c${i % 25}`), // 25 levels on 60 rows
      stage: seq((i) => `s${i % 12}`), // 12 levels on 60 rows: fine
    });
    expect(columns['code']!.quasiIdentifier).toMatch(/most of its values are different/);
    expect(columns['clinic']!.quasiIdentifier).toMatch(/25 distinct values for 60 rows/);
    expect(columns['stage']!.excluded).toBe(false);
  });

  it('includes a flagged column when its owner names it, and still says why it was flagged', () => {
    const columns = profile({ postcode: seq((i) => ['N1', 'N2'][i % 2]!) }, { include: ['postcode'] });
    expect(columns['postcode']).toMatchObject({ excluded: false });
    expect(columns['postcode']!.note).toMatch(/included by the data owner, although its name says it holds a postcode/);
  });

  it('never flags the target, and counts the categories that will leave merged', () => {
    const columns = profile({ name: seq((i) => `n${i % 2}`), ward: seq((i) => (i < 57 ? ['A', 'B'][i % 2]! : `rare${i}`)) }, { target: 'name' });
    expect(columns['name']!.excluded).toBe(false);
    expect(columns['ward']!.rareLevels).toEqual({ levels: 3, rows: 3 });
  });
});
