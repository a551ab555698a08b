import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { costOfPath, naiveCost } from 'einsight-server/core/cost';
import { contractionOf, loadOracle, type Count, type OracleCase, type OracleReference } from '../support/oracle';

const cases = [...loadOracle('paths.jsonl'), ...loadOracle('paths-large.jsonl')];

function references(c: OracleCase): [string, OracleReference][] {
  const plain = Object.entries(c.ref).map(([m, r]) => [m, r] as [string, OracleReference]);
  const limited = Object.entries(c.ref_memory_limited ?? {}).map(([m, r]) => [`${m} (memory limited)`, r] as [string, OracleReference]);
  return [...plain, ...limited].filter(([, r]) => r.path !== undefined);
}

describe('cost model against opt_einsum 3.4', () => {
  it('costs every reference path exactly as opt_einsum does (FLOPs, largest, naive)', () => {
    let checked = 0;
    for (const c of cases) {
      const contraction = contractionOf(c);
      for (const [method, ref] of references(c)) {
        const cost = costOfPath(contraction, ref.path as number[][]);
        const where = `${c.id} ${method}`;
        assert.equal(cost.flops, BigInt(ref.flops as Count), `${where}: flops`);
        assert.equal(cost.largest, BigInt(ref.largest as Count), `${where}: largest intermediate`);
        assert.equal(naiveCost(contraction).flops, BigInt(ref.naive_flops as Count), `${where}: naive flops`);
        checked++;
      }
    }
    assert.equal(checked, 966, 'reference paths checked');
  });
});
