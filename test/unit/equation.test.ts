import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEquation, parseSublists, type ParsedEquation, type ParsedTerm } from 'einsight-server/core/equation';

/** A term as the user reads it: its labels with '...' where the ellipsis sits. */
function written(term: ParsedTerm): string[] {
  const labels = [...term.labels];
  if (term.ellipsis >= 0) labels.splice(term.ellipsis, 0, '...');
  return labels;
}

function summary(eq: ParsedEquation): { inputs: string[][]; output: string[] } {
  return { inputs: eq.inputs.map(written), output: written(eq.output) };
}

const r = (start: number, end: number) => ({ start, end });

describe('parseEquation: letters with an explicit output', () => {
  it('parses a matrix product with term, label and arrow ranges', () => {
    const eq = parseEquation('ij,jk->ik');
    assert.equal(eq.style, 'letters');
    assert.equal(eq.explicitOutput, true);
    assert.deepEqual(eq.arrowRange, r(5, 7));
    assert.deepEqual(summary(eq), { inputs: [['i', 'j'], ['j', 'k']], output: ['i', 'k'] });
    assert.deepEqual(
      eq.inputs.map((t) => t.range),
      [r(0, 2), r(3, 5)],
    );
    assert.deepEqual(eq.inputs[1].labelRanges, [r(3, 4), r(4, 5)]);
    assert.deepEqual(eq.output.range, r(7, 9));
    assert.deepEqual(eq.output.labelRanges, [r(7, 8), r(8, 9)]);
    assert.equal(eq.inputs[0].ellipsis, -1);
    assert.equal(eq.inputs[0].ellipsisRange, null);
  });

  it('ignores spaces anywhere and trims them out of term ranges', () => {
    const eq = parseEquation(' i j , jk->  ik ', { style: 'letters' });
    assert.deepEqual(summary(eq), { inputs: [['i', 'j'], ['j', 'k']], output: ['i', 'k'] });
    assert.deepEqual(
      eq.inputs.map((t) => t.range),
      [r(1, 4), r(7, 9)],
    );
    assert.deepEqual(eq.output.range, r(13, 15));
  });

  it('keeps upper and lower case as distinct labels', () => {
    assert.deepEqual(summary(parseEquation('iI->Ii')), { inputs: [['i', 'I']], output: ['I', 'i'] });
  });

  it('accepts any Unicode letter as a label', () => {
    assert.deepEqual(summary(parseEquation('Êi,iβ->Êβ')), { inputs: [['Ê', 'i'], ['i', 'β']], output: ['Ê', 'β'] });
  });

  it('measures ranges in UTF-16 units for letters outside the BMP', () => {
    const eq = parseEquation('𝐀i->i𝐀');
    assert.deepEqual(eq.inputs[0].labels, ['𝐀', 'i']);
    assert.deepEqual(eq.inputs[0].labelRanges, [r(0, 2), r(2, 3)]);
    assert.deepEqual(eq.output.labelRanges, [r(5, 6), r(6, 8)]);
  });

  it('takes a trace (ii->) and a partial trace (iij->j) with repeats kept', () => {
    assert.deepEqual(summary(parseEquation('ii->')), { inputs: [['i', 'i']], output: [] });
    assert.deepEqual(parseEquation('ii->').output.range, r(4, 4));
    assert.deepEqual(summary(parseEquation('iij->j')), { inputs: [['i', 'i', 'j']], output: ['j'] });
  });

  it('accepts empty input terms as scalar operands', () => {
    const eq = parseEquation(',ij, ->ij');
    assert.deepEqual(summary(eq), { inputs: [[], ['i', 'j'], []], output: ['i', 'j'] });
    assert.deepEqual(
      eq.inputs.map((t) => t.range),
      [r(0, 0), r(1, 3), r(5, 5)],
    );
  });
});

describe('parseEquation: implicit output', () => {
  it('keeps labels that occur exactly once, with no arrow range', () => {
    const eq = parseEquation('ij,jk');
    assert.equal(eq.explicitOutput, false);
    assert.equal(eq.arrowRange, null);
    assert.deepEqual(eq.output.labels, ['i', 'k']);
  });

  it('points implicit output labels at their single input occurrence', () => {
    const eq = parseEquation('ij,jk');
    assert.deepEqual(eq.output.range, r(5, 5));
    assert.deepEqual(eq.output.labelRanges, [r(0, 1), r(4, 5)]);
  });

  it('sorts by code point, so uppercase comes before lowercase', () => {
    assert.deepEqual(parseEquation('ba,Ac').output.labels, ['A', 'a', 'b', 'c']);
    assert.deepEqual(parseEquation('βa').output.labels, ['a', 'β']);
  });

  it('counts a label repeated inside one operand twice', () => {
    assert.deepEqual(parseEquation('ii').output.labels, []);
    assert.deepEqual(parseEquation('iij').output.labels, ['j']);
    assert.deepEqual(parseEquation('ij,jk,kl').output.labels, ['i', 'l']);
  });

  it('puts the ellipsis first when any input has one', () => {
    const eq = parseEquation('j...i,jk');
    assert.deepEqual(written(eq.output), ['...', 'i', 'k']);
    assert.equal(eq.output.ellipsisRange, null);
  });
});

describe('parseEquation: ellipsis', () => {
  it('records where the ellipsis sits among the labels', () => {
    const eq = parseEquation('i...j->...');
    assert.deepEqual(eq.inputs[0].labels, ['i', 'j']);
    assert.equal(eq.inputs[0].ellipsis, 1);
    assert.deepEqual(eq.inputs[0].ellipsisRange, r(1, 4));
    assert.deepEqual(eq.inputs[0].range, r(0, 5));
    assert.equal(eq.output.ellipsis, 0);
    assert.deepEqual(eq.output.ellipsisRange, r(7, 10));
  });

  it('places a trailing ellipsis after every label', () => {
    const term = parseEquation('ij...->ij').inputs[0];
    assert.equal(term.ellipsis, 2);
  });

  it('accepts an input ellipsis missing from the output (its dimensions are summed)', () => {
    assert.deepEqual(summary(parseEquation('...ij->ij')), { inputs: [['...', 'i', 'j']], output: ['i', 'j'] });
  });

  it('accepts an ellipsis on its own as a term', () => {
    assert.deepEqual(summary(parseEquation('...,...->...')), { inputs: [['...'], ['...']], output: ['...'] });
  });
});

describe('parseEquation: named (einops) style', () => {
  it('reads whitespace-separated names with their ranges', () => {
    const eq = parseEquation('batch i j, batch j k -> batch i k');
    assert.equal(eq.style, 'named');
    assert.deepEqual(summary(eq), {
      inputs: [
        ['batch', 'i', 'j'],
        ['batch', 'j', 'k'],
      ],
      output: ['batch', 'i', 'k'],
    });
    assert.deepEqual(eq.inputs[0].labelRanges, [r(0, 5), r(6, 7), r(8, 9)]);
    assert.deepEqual(eq.inputs[1].range, r(11, 20));
    assert.deepEqual(eq.arrowRange, r(21, 23));
  });

  it('allows digits and underscores after the first character', () => {
    assert.deepEqual(summary(parseEquation('h_out x2 _c -> x2 h_out')), {
      inputs: [['h_out', 'x2', '_c']],
      output: ['x2', 'h_out'],
    });
  });

  it('reads a multi-letter term as one label when named style is forced', () => {
    const eq = parseEquation('ij -> ij', { style: 'named' });
    assert.deepEqual(summary(eq), { inputs: [['ij']], output: ['ij'] });
  });

  it('accepts an ellipsis with or without spaces around it', () => {
    assert.deepEqual(summary(parseEquation('b ... i -> ... b')), { inputs: [['b', '...', 'i']], output: ['...', 'b'] });
    assert.deepEqual(summary(parseEquation('b...i -> b', { style: 'named' })), {
      inputs: [['b', '...', 'i']],
      output: ['b'],
    });
  });

  it('computes an implicit output from names sorted by code point', () => {
    const eq = parseEquation('b x, b W');
    assert.equal(eq.explicitOutput, false);
    assert.deepEqual(eq.output.labels, ['W', 'x']);
  });
});

describe('parseEquation: style detection', () => {
  it('stays with letters when spaces only surround separators', () => {
    const eq = parseEquation('ij, jk -> ik');
    assert.equal(eq.style, 'letters');
    assert.deepEqual(summary(eq), { inputs: [['i', 'j'], ['j', 'k']], output: ['i', 'k'] });
  });

  it('picks names when whitespace separates two label characters in a term', () => {
    assert.equal(parseEquation('ij,b i->b').style, 'named');
    assert.equal(parseEquation('x1 x2->x1').style, 'named');
  });

  it('picks names when whitespace separates a label from an ellipsis', () => {
    const eq = parseEquation('batch ... -> ... batch');
    assert.equal(eq.style, 'named');
    assert.deepEqual(summary(eq), { inputs: [['batch', '...']], output: ['...', 'batch'] });
    assert.equal(parseEquation('... i->i').style, 'named');
  });

  it('reads spaced single letters as letters when letters are forced', () => {
    const eq = parseEquation('b i j->b', { style: 'letters' });
    assert.equal(eq.style, 'letters');
    assert.deepEqual(summary(eq), { inputs: [['b', 'i', 'j']], output: ['b'] });
  });

  it("treats style 'auto' like no style", () => {
    assert.equal(parseEquation('b i -> b', { style: 'auto' }).style, 'named');
  });
});

describe('parseSublists', () => {
  it('maps 0-25 to A-Z and 26-51 to a-z, like numpy', () => {
    const eq = parseSublists([[0, 25], [26, 51]], [0, 51]);
    assert.equal(eq.text, 'AZ,az->Az');
    assert.equal(eq.style, 'sublist');
    assert.equal(eq.explicitOutput, true);
    assert.deepEqual(summary(eq), { inputs: [['A', 'Z'], ['a', 'z']], output: ['A', 'z'] });
  });

  it('writes a matrix product as the equivalent letter equation with ranges into it', () => {
    const eq = parseSublists([[0, 1], [1, 2]], [0, 2]);
    assert.equal(eq.text, 'AB,BC->AC');
    assert.deepEqual(eq.inputs[1].range, r(3, 5));
    assert.deepEqual(eq.arrowRange, r(5, 7));
  });

  it('uses the implicit output when no output list is given', () => {
    const eq = parseSublists([[26, 0], [0, 1]]);
    assert.equal(eq.text, 'aA,AB');
    assert.equal(eq.explicitOutput, false);
    assert.deepEqual(eq.output.labels, ['B', 'a']);
  });

  it('accepts an ellipsis item', () => {
    const eq = parseSublists([['...', 0], [0, 1]], ['...', 1]);
    assert.equal(eq.text, '...A,AB->...B');
    assert.deepEqual(summary(eq), { inputs: [['...', 'A'], ['A', 'B']], output: ['...', 'B'] });
  });

  it('accepts an empty sublist as a scalar operand', () => {
    const eq = parseSublists([[], [0]], [0]);
    assert.equal(eq.text, ',A->A');
    assert.deepEqual(summary(eq), { inputs: [[], ['A']], output: ['A'] });
  });
});
