/**
 * `dump --format table` prints terms in Erlang syntax that Erlang reads
 * back: each rendering is parsed by live OTP (`erl_scan` + `erl_parse`) and
 * compared (`=:=`) with the term itself, sent as External Term Format.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderTerm, TableLayout } from '../../src/cli/render.js';
import { encodeTerm } from '../../src/erlang/etf.js';
import { ErlBitstring, ErlFloat, ErlImproperList, type ErlTerm } from '../../src/erlang/terms.js';
import { Opaque, Pid, Tuple } from '../../src/term/types.js';
import { requireErl } from '../tools.js';
import { tempDir } from '../convert/support.js';

const { dir, cleanup } = tempDir('render');
afterAll(cleanup);

const A = (name: string): symbol => Symbol.for(name);

/** Terms whose rendering Erlang must read back as the same term. */
const CASES: ErlTerm[] = [
  'ada',
  '',
  'héllo wörld',
  '日本語',
  'emoji 😀',
  'quote " and backslash \\ and \'',
  'tab\tnew\nline\rret\x00nul\x1bescape\x7fdel\u0085nel',
  new Uint8Array([]),
  new Uint8Array([0, 1, 255]),
  0,
  -42,
  2 ** 53 - 1,
  1e21,
  -1e300,
  12345678901234567890123n,
  -5n,
  2.5,
  -0.125,
  1.5e-7,
  new ErlFloat(1),
  new ErlFloat(-0),
  new ErlFloat(1e300),
  A('ok'),
  A('Big Atom'),
  A('end'),
  A('andalso'),
  A('it\'s'),
  A('ünïcode'),
  A('_under'),
  A('with@at'),
  A(''),
  true,
  false,
  null,
  undefined,
  Tuple.from([]),
  Tuple.from([A('ok'), 'text', [1, 2.5]]),
  [],
  [1, [2, [3]], Tuple.from([4])],
  new ErlImproperList([1, 2], 3),
  new ErlBitstring(Uint8Array.of(0xa0), 3),
  new Map<ErlTerm, ErlTerm>([[A('k'), 1n], ['s', [A('nested'), new Map([[1, 2]])]]]),
  { name: 'Ada', tags: ['x', 'y'] },
  {},
];

describe('rendering terms for dump --format table', () => {
  it('writes binaries as Erlang binaries, not strings (Erlang reads "ada" as a list)', () => {
    expect(renderTerm('ada')).toBe('<<"ada">>');
    expect(renderTerm('héllo')).toBe('<<"héllo"/utf8>>');
    const t = Tuple.from([A('ok'), 'text', [1, 2.5], new Map([[A('k'), 1n]]), new Uint8Array([1, 2]), A('Big Atom'), null, A('end')]);
    expect(renderTerm(t)).toBe('{ok, <<"text">>, [1, 2.5], #{k => 1}, <<1,2>>, \'Big Atom\', nil, \'end\'}');
    expect(renderTerm([new ErlFloat(1), new ErlImproperList([1], 2), new ErlBitstring(Uint8Array.of(0xa0), 3), new Pid(3), new Opaque('reference', Uint8Array.of(1))])).toBe(
      '[1.0, [1 | 2], <<5:3>>, <0.3.0>, #Ref<1 bytes>]',
    );
  });

  it('lays rows out in columns, marking the key, cutting long cells', () => {
    const l = new TableLayout([[1, 'a'.repeat(100)], ['key', 2, 3]], 1, 12);
    expect(l.header()).toBe('1*         2             3');
    expect(l.line([1, 'a'.repeat(100)])).toBe('1          <<"aaaaaaaa…');
  });

  it('is read back by Erlang as the same term (live OTP)', () => {
    const lines = CASES.map((t) => `${Buffer.from(encodeTerm(t)).toString('hex')}\t${renderTerm(t, 10_000)}`);
    const input = join(dir, 'cases.txt');
    writeFileSync(input, lines.join('\n') + '\n');
    const script = join(dir, 'parse.escript');
    writeFileSync(
      script,
      [
        '#!/usr/bin/env escript',
        '%%! -noshell',
        'main([File]) ->',
        '  {ok, Bin} = file:read_file(File),',
        '  Lines = [L || L <- binary:split(Bin, <<"\\n">>, [global]), L =/= <<>>],',
        '  lists:foreach(fun(Line) ->',
        '    [Hex, Text] = binary:split(Line, <<"\\t">>),',
        '    Want = binary_to_term(binary:decode_hex(Hex)),',
        '    Got = try',
        '      {ok, Toks, _} = erl_scan:string(unicode:characters_to_list(Text) ++ "."),',
        '      {ok, T} = erl_parse:parse_term(Toks), T',
        '    catch C:E -> {parse_error, C, E} end,',
        '    io:format("~s~n", [case Got =:= Want of true -> "ok"; false -> io_lib:format("mismatch ~ts", [Text]) end])',
        '  end, Lines).',
      ].join('\n'),
    );
    requireErl();
    const out = execFileSync('escript', [script, input], { encoding: 'utf8', timeout: 120_000 }).trim().split('\n');
    expect(out.filter((l) => l !== 'ok')).toEqual([]);
    expect(out.length).toBe(CASES.length);
  });
});
