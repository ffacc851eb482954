#!/usr/bin/env escript
%% -*- erlang -*-
%%! -noshell
%%
%% The OTP side of termstore's live round-trip tests. Commands:
%%
%%   tabs Orig1 New1 [Orig2 New2 ...]
%%       ets:file2tab(F, [{verify, true}]) both files of each pair; prints
%%       "same" when type, keypos and the objects (as a multiset) are =:=.
%%   dets_tab DetsFile TabFile [...]
%%       the objects of a DETS file against those of a tab2file file.
%%   dets_dets Orig New [...]
%%       two DETS files (the new one opened by dets:open_file, read_only).
%%   phash2 In
%%       prints erlang:phash2/1 of each term of In (framed as for terms).
%%   sort In
%%       prints the permutations that sort the terms of In by the standard
%%       term order and by dets_utils:cmp/2 (ties by position).
%%   dets_modify File
%%       opens a DETS file read-write, inserts and deletes, closes, and
%%       checks the result after reopening without repair.
%%   write_big File
%%       writes a tab2file file whose items exceed 65528 bytes.
%%   terms In Out
%%       In holds <<Len:32, TermBinary/binary>> records: each is decoded with
%%       binary_to_term/1 and written back with term_to_binary/1 to Out in
%%       the same framing.
-mode(compile).

main(["tabs" | Files]) -> pairs(fun tab_objects/1, fun tab_objects/1, Files);
main(["dets_tab" | Files]) -> pairs(fun dets_objects/1, fun tab_objects/1, Files);
main(["dets_dets" | Files]) -> dets_pairs(Files);
main(["phash2", In]) ->
    {ok, Bin} = file:read_file(In),
    [io:format("~b~n", [erlang:phash2(binary_to_term(B))]) || B <- unframe(Bin)];
main(["sort", In]) ->
    {ok, Bin} = file:read_file(In),
    Terms = lists:zip(lists:seq(0, length(unframe(Bin)) - 1), [binary_to_term(B) || B <- unframe(Bin)]),
    Std = lists:sort(fun({I, A}, {J, B}) -> A < B orelse (A == B andalso I =< J) end, Terms),
    Dets = lists:sort(fun({I, A}, {J, B}) -> C = dets_utils:cmp(A, B), C < 0 orelse (C =:= 0 andalso I =< J) end, Terms),
    io:format("~w~n~w~n", [[I || {I, _} <- Std], [I || {I, _} <- Dets]]);
main(["dets_modify", File]) ->
    %% OTP keeps writing to the file: inserts, deletes, closes; then it must
    %% reopen without repair and hold exactly the expected objects.
    T = open_dets(File, [set, bag, duplicate_bag], read_write),
    Before = lists:sort(dets:match_object(T, '_')),
    KP = dets:info(T, keypos),
    New = [list_to_tuple([{new, I} || _ <- lists:seq(1, KP - 1)] ++ [{new, I}, I]) || I <- lists:seq(1, 500)],
    ok = dets:insert(T, New),
    Gone = lists:usort([element(KP, O) || O <- lists:sublist(Before, 10)]),
    [ok = dets:delete(T, K) || K <- Gone],
    ok = dets:close(T),
    T2 = open_dets(File, [set, bag, duplicate_bag]),
    After = lists:sort(dets:match_object(T2, '_')),
    Want = lists:sort([O || O <- Before, not lists:member(element(KP, O), Gone)] ++ New),
    ok = dets:close(T2),
    case After =:= Want of
        true -> io:format("ok ~p~n", [length(After)]);
        false -> io:format("DIFFERENT ~p ~p~n", [length(After), length(Want)])
    end;
main(["write_big", File]) ->
    %% a tab2file file with items over 65528 bytes (disk_log adds an MD5 of their size)
    T = ets:new(big, [set]),
    true = ets:insert(T, [{1, binary:copy(<<"x">>, 100000)}, {2, lists:seq(1, 70000)}, {3, small}]),
    ok = ets:tab2file(T, File, [{extended_info, [md5sum, object_count]}]),
    io:format("ok~n");
main(["terms", In, Out]) ->
    {ok, Bin} = file:read_file(In),
    ok = file:write_file(Out, [frame(term_to_binary(binary_to_term(B))) || B <- unframe(Bin)]),
    io:format("ok~n").

pairs(_, _, []) -> ok;
pairs(ReadA, ReadB, [A, B | Rest]) ->
    {TA, KA, OA} = ReadA(A),
    {TB, KB, OB} = ReadB(B),
    case {TA =:= TB, KA =:= KB, lists:sort(OA) =:= lists:sort(OB)} of
        {true, true, true} -> io:format("same ~s ~s ~p~n", [A, B, length(OA)]);
        Diff -> io:format("DIFFERENT ~s ~s ~p ~p~n", [A, B, Diff, {TA, TB, KA, KB, length(OA), length(OB)}])
    end,
    pairs(ReadA, ReadB, Rest).

%% Two DETS files: same type, keypos and objects, and for every key the same
%% objects in the same order (bags keep insertion order).
dets_pairs([]) -> ok;
dets_pairs([A, B | Rest]) ->
    TA = open_dets(A, [set, bag, duplicate_bag]),
    TB = open_dets(B, [set, bag, duplicate_bag]),
    KP = dets:info(TA, keypos),
    OA = dets:match_object(TA, '_'),
    OB = dets:match_object(TB, '_'),
    Keys = lists:usort([element(KP, O) || O <- OA]),
    SameOrder = lists:all(fun(K) -> dets:lookup(TA, K) =:= dets:lookup(TB, K) end, Keys),
    R = {dets:info(TA, type) =:= dets:info(TB, type), KP =:= dets:info(TB, keypos),
         lists:sort(OA) =:= lists:sort(OB), SameOrder,
         dets:info(TA, no_keys) =:= dets:info(TB, no_keys)},
    ok = dets:close(TA),
    ok = dets:close(TB),
    case R of
        {true, true, true, true, true} -> io:format("same ~s ~s ~p~n", [A, B, length(OA)]);
        _ -> io:format("DIFFERENT ~s ~s ~p~n", [A, B, R])
    end,
    dets_pairs(Rest).

tab_objects(File) ->
    {ok, T} = ets:file2tab(File, [{verify, true}]),
    R = {ets:info(T, type), ets:info(T, keypos), ets:tab2list(T)},
    ets:delete(T),
    R.

dets_objects(File) ->
    T = open_dets(File, [set, bag, duplicate_bag]),
    R = {dets:info(T, type), dets:info(T, keypos), dets:match_object(T, '_')},
    %% Every key must be found by lookup (checks the hashing of a written file).
    Keys = lists:usort([element(dets:info(T, keypos), O) || O <- element(3, R)]),
    [case dets:lookup(T, K) of [] -> exit({lookup_failed, K}); _ -> ok end || K <- Keys],
    ok = dets:close(T),
    R.

%% Opens without repair (read-only unless asked: the file is not changed);
%% type and keypos must be given and match: the keypos is read from the
%% header, each type is tried.
open_dets(File, Types) -> open_dets(File, Types, read).

open_dets(File, [Type | Types], Access) ->
    {ok, Fd} = file:open(File, [read, binary, raw]),
    {ok, <<KeyPos:32>>} = file:pread(Fd, 28, 4),
    ok = file:close(Fd),
    case dets:open_file(make_ref(), [{file, File}, {access, Access}, {repair, false}, {type, Type}, {keypos, KeyPos}]) of
        {ok, T} -> T;
        {error, {type_mismatch, _}} -> open_dets(File, Types, Access)
    end.

unframe(<<Len:32, B:Len/binary, Rest/binary>>) -> [B | unframe(Rest)];
unframe(<<>>) -> [].

frame(B) -> [<<(byte_size(B)):32>>, B].
