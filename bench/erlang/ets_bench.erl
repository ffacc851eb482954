%% OTP's ets on the same workloads as bench/drivers/ets.mjs.
%% erl -noshell -pa bench/erlang -eval 'ets_bench:main([set, 1000000])' -s init stop
-module(ets_bench).
-export([main/1]).

main([Type, N]) ->
    Keys = rand_keys(N),
    T = ets:new(bench, [Type, public]),
    Words0 = erlang:memory(ets),
    {TIns, _} = timer:tc(fun() -> ins(T, 0, N) end),
    Bytes = (erlang:memory(ets) - Words0) / N,
    {TLook, _} = timer:tc(fun() -> look(T, Keys) end),
    UC = case Type of
             set -> {TU, _} = timer:tc(fun() -> uc(T, Keys) end), [{"updateCounter", TU * 1000 / N}];
             ordered_set -> {TU, _} = timer:tc(fun() -> uc(T, Keys) end), [{"updateCounter", TU * 1000 / N}];
             _ -> []
         end,
    {TTrav, N} = timer:tc(fun() -> trav(T, ets:first(T), 0) end),
    {TL, _} = timer:tc(fun() -> ets:tab2list(T) end),
    Pairs = [{"insert", TIns * 1000 / N}, {"lookup", TLook * 1000 / N}] ++ UC ++
            [{"traverseMs", TTrav / 1000}, {"tab2listMs", TL / 1000}, {"bytesPerRow", Bytes}],
    io:format("{~s}~n", [lists:join(",", [io_lib:format("\"~s\":~.3f", [K, float(V)]) || {K, V} <- Pairs])]).

ins(_T, N, N) -> ok;
ins(T, I, N) -> ets:insert(T, {I, I * 2, <<"value-", (integer_to_binary(I))/binary>>}), ins(T, I + 1, N).

look(_T, []) -> ok;
look(T, [K | Ks]) -> ets:lookup(T, K), look(T, Ks).

uc(_T, []) -> ok;
uc(T, [K | Ks]) -> ets:update_counter(T, K, {2, 1}), uc(T, Ks).

trav(_T, '$end_of_table', C) -> C;
trav(T, K, C) -> trav(T, ets:next(T, K), C + 1).

rand_keys(N) ->
    rand:seed(exsss, {1, 2, 3}),
    [rand:uniform(N) - 1 || _ <- lists:seq(1, N)].
