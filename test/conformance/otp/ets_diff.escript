#!/usr/bin/env escript
%% -*- erlang -*-
%%! -noshell
%%
%% The OTP side of termstore's differential test against live ETS
%% (test/conformance/otp-differential.test.ts).
%%
%%   ets_diff.escript In Out
%%
%% In holds term_to_binary([{Type, Keypos, Ops}, ...]): for each case a
%% fresh table of Type with Keypos is made and each op run on it in order.
%% Out gets term_to_binary([[Result, ...], ...]): one result per op; an op
%% that raises gives '$error' (termstore's side maps a TermstoreError to
%% the same atom). Multi-chunk selects give their chunks: [{Results, cont |
%% eot}, ...] ending, when the last chunk was full, in '$end_of_table'.
-mode(compile).

main([In, Out]) ->
    {ok, Bin} = file:read_file(In),
    Cases = binary_to_term(Bin),
    Results = [run_case(C) || C <- Cases],
    ok = file:write_file(Out, term_to_binary(Results)).

run_case({Type, Keypos, Ops}) ->
    T = ets:new(ets_diff, [Type, public, {keypos, Keypos}]),
    R = [op(T, O) || O <- Ops],
    ets:delete(T),
    R.

op(T, O) ->
    try do(T, O)
    catch _:_ -> '$error'
    end.

do(T, {insert, O}) -> ets:insert(T, O);
do(T, {insert_list, L}) -> ets:insert(T, L);
do(T, {insert_new, O}) -> ets:insert_new(T, O);
do(T, {insert_new_list, L}) -> ets:insert_new(T, L);
do(T, {lookup, K}) -> ets:lookup(T, K);
do(T, {lookup_element, K, P}) -> ets:lookup_element(T, K, P);
do(T, {lookup_element, K, P, D}) -> ets:lookup_element(T, K, P, D);
do(T, {member, K}) -> ets:member(T, K);
do(T, {take, K}) -> ets:take(T, K);
do(T, {delete, K}) -> ets:delete(T, K);
do(T, {delete_object, O}) -> ets:delete_object(T, O);
do(T, delete_all_objects) -> ets:delete_all_objects(T);
do(T, {update_counter, K, U}) -> ets:update_counter(T, K, U);
do(T, {update_counter, K, U, D}) -> ets:update_counter(T, K, U, D);
do(T, {update_element, K, E}) -> ets:update_element(T, K, E);
do(T, {select, MS}) -> ets:select(T, MS);
do(T, {select_reverse, MS}) -> ets:select_reverse(T, MS);
do(T, {select_chunks, MS, L}) -> chunks(ets:select(T, MS, L), fun ets:select/1);
do(T, {select_reverse_chunks, MS, L}) -> chunks(ets:select_reverse(T, MS, L), fun ets:select_reverse/1);
do(T, {select_count, MS}) -> ets:select_count(T, MS);
do(T, {select_delete, MS}) -> ets:select_delete(T, MS);
do(T, {select_replace, MS}) -> ets:select_replace(T, MS);
do(T, {match, P}) -> ets:match(T, P);
do(T, {match_chunks, P, L}) -> chunks(ets:match(T, P, L), fun ets:match/1);
do(T, {match_object, P}) -> ets:match_object(T, P);
do(T, {match_object_chunks, P, L}) -> chunks(ets:match_object(T, P, L), fun ets:match_object/1);
do(T, {match_delete, P}) -> ets:match_delete(T, P);
do(T, tab2list) -> ets:tab2list(T);
do(T, foldl) -> ets:foldl(fun(O, A) -> [O | A] end, [], T);
do(T, size) -> ets:info(T, size);
do(T, first_walk) -> walk(T, ets:first(T), fun ets:next/2);
do(T, last_walk) -> walk(T, ets:last(T), fun ets:prev/2);
do(T, {next, K}) -> ets:next(T, K);
do(T, {prev, K}) -> ets:prev(T, K);
do(T, {slot, I}) -> ets:slot(T, I);
do(_, {test_ms, O, MS}) ->
    case ets:test_ms(O, MS) of
        {ok, R} -> {ok, R};
        {error, _} -> error
    end;
do(_, {match_spec_run, L, MS}) -> ets:match_spec_run(L, ets:match_spec_compile(MS)).

chunks('$end_of_table', _) -> ['$end_of_table'];
chunks({Res, '$end_of_table'}, _) -> [{Res, eot}];
chunks({Res, C}, Next) -> [{Res, cont} | chunks(Next(C), Next)].

walk(_, '$end_of_table', _) -> [];
walk(T, K, F) -> [K | walk(T, F(T, K), F)].
