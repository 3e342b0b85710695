import { DuckDBInstance } from '@duckdb/node-api';
const c = await (await DuckDBInstance.create(':memory:')).connect();
const cols = (n) => '{' + n.map(x => `'${x}':'VARCHAR'`).join(',') + '}';
const opts = (n) => `header=true, auto_detect=false, columns=${cols(n)}, delim=',', quote='"', escape='"', allow_quoted_nulls=false, strict_mode=true, null_padding=false`;
for (const [f, n] of [['lateh',['a','b']],['qn',['a','b']],['long',['a','b']],['ragged',['a','b','c']],['unclosed',['a','b','c']],['single2',['a']],['stray',['a','b','c']],['latin',['a','b']]]) {
  try {
    const r = await c.runAndReadAll(`select * from read_csv('/tmp/dx/${f}.csv', ${opts(n)})`);
    console.log(f, r.columnNames(), JSON.stringify(r.getRows()));
  } catch (e) { console.log(f, 'ERR', e.message.split('\n')[0]); }
}
