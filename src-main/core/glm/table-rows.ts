// A regression table as rows for a CSV file: the same columns the app shows.
import type { CoefficientTable } from '../../contract/results';

export function coefficientRecords(table: CoefficientTable): Array<Array<string | number>> {
  const ratio = table.family === 'binomial' ? 'odds ratio' : table.family === 'multinomial' ? 'relative risk ratio' : null;
  const header = ['term', ...(table.family === 'multinomial' ? ['outcome'] : []), 'coefficient', 'standard error', 'ci low', 'ci high', table.statistic, 'p', ...(ratio ? [ratio, `${ratio} ci low`, `${ratio} ci high`] : []), 'coefficient on the encoded scale', 'column standard deviation'];
  const cell = (value: number | null | undefined) => (value === null || value === undefined ? '' : value);
  return [
    header,
    ...table.terms.map((row) => [
      row.term,
      ...(table.family === 'multinomial' ? [row.outcome ?? ''] : []),
      row.estimate,
      cell(row.standardError),
      cell(row.low),
      cell(row.high),
      cell(row.statistic),
      cell(row.p),
      ...(ratio ? [cell(row.ratio?.estimate), cell(row.ratio?.low), cell(row.ratio?.high)] : []),
      row.encoded,
      row.scale,
    ]),
  ];
}
