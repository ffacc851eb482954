%% OTP ets on the workloads of bench/drivers/harness.mjs, in the same order.
%% erl -noshell -pa DIR -run ets_bench main set 100000 2000 2000 2000 none /tmp/dir
-module(ets_bench).
-export([main/1]).
-import(bench_util, [row/1, budgeted/4, timed/1]).

main(Args) ->
    #{variant := Type, n := N, budget := Budget, insert_budget := InsBudget, op_budget := OpBudget, dir := Dir} = Cfg = bench_util:args(Args),
    Want = fun(W) -> bench_util:want(W, Cfg) end,
    LookupKeys = bench_util:keys(N, N, 42),
    MixKeys = bench_util:keys(N, N, 7),
    CounterKeys = bench_util:keys(N, N, 9),
    W = min(100, N),
    RangeCount = max(1, min(10000, N div W)),
    Starts = bench_util:keys(max(1, N - W), RangeCount, 11),
    T = ets:new(bench, [Type, public]),
    M0 = erlang:memory(ets),
    {Ins, InsOps, _} = budgeted(N, 1000, InsBudget, fun(Lo, Hi) -> ins(T, Lo, Hi) end),
    ins(T, InsOps, N),
    BytesPerRow = (erlang:memory(ets) - M0) / N,
    {Look, LookOps, Found} = budgeted(N, 1000, OpBudget, fun(Lo, Hi) -> look(T, LookupKeys, Lo, Hi, 0) end),
    Found >= LookOps orelse error({lookup_missed, Found, LookOps}),
    Mix = case Want("mix") of
        true ->
            {M, MOps, _} = budgeted(N, 1000, OpBudget, fun(Lo, Hi) -> mix(T, MixKeys, Lo, Hi) end),
            [{"mix", M}, {"mixOps", MOps}];
        false -> []
    end,
    Counter = case (Type =:= set orelse Type =:= ordered_set) andalso Want("counter") of
        true ->
            {C, COps, _} = budgeted(N, 1000, OpBudget, fun(Lo, Hi) -> uc(T, CounterKeys, Lo, Hi) end),
            [{"counter", C}, {"counterOps", COps}];
        false -> []
    end,
    Scan = case Want("scan") of
        true ->
            {ScanMs, N} = timed(fun() -> trav(T, ets:first(T), 0) end),
            {ListMs, _} = timed(fun() -> length(ets:tab2list(T)) end),
            [{"scanMs", ScanMs}, {"tab2listMs", ListMs}];
        false -> []
    end,
    Select = case Want("select") of
        true ->
            {SelKey, SelKeyOps, _} = budgeted(N, 100, Budget, fun(Lo, Hi) -> sel_key(T, LookupKeys, Lo, Hi, 0) end),
            {SelRange, SelRangeOps, RangeRows} = budgeted(RangeCount, 1, Budget, fun(Lo, Hi) -> sel_range(T, Starts, W, Lo, Hi, 0) end),
            Limit = N div 5,
            {SelGuard, SelGuardOps, GuardRows} =
                budgeted(5, 1, Budget, fun(_, _) -> length(ets:select(T, [{{'_', '$2', '_'}, [{'<', '$2', Limit}], ['$_']}])) end),
            [{"selKey", SelKey}, {"selKeyOps", SelKeyOps},
             {"selRangeUs", SelRange / 1000}, {"selRangeOps", SelRangeOps}, {"selRangeRows", RangeRows / SelRangeOps},
             {"selGuardMs", SelGuard / 1.0e6}, {"selGuardOps", SelGuardOps}, {"selGuardRows", GuardRows / SelGuardOps}];
        false -> []
    end,
    Tab2file = case Want("tab2file") of
        true ->
            File = filename:join(Dir, "tab2file.bin"),
            {T2FMs, ok} = timed(fun() -> ets:tab2file(T, File) end),
            {F2TMs, {ok, T2}} = timed(fun() -> ets:file2tab(File) end),
            ets:delete(T2),
            [{"tab2fileMs", T2FMs}, {"file2tabMs", F2TMs}];
        false -> []
    end,
    bench_util:emit([{"n", N}, {"insert", Ins}, {"insertOps", InsOps}, {"bytesPerRow", BytesPerRow},
                     {"lookup", Look}, {"lookupOps", LookOps}] ++ Mix ++ Counter ++ Scan ++ Select ++ Tab2file ++
                    [{"peakRssMB", bench_util:peak_rss_mb()}]),
    halt().

ins(_T, I, Hi) when I >= Hi -> 0;
ins(T, I, Hi) -> ets:insert(T, row(I)), ins(T, I + 1, Hi).

look(_T, _K, J, Hi, Acc) when J >= Hi -> Acc;
look(T, K, J, Hi, Acc) ->
    case ets:lookup(T, element(J + 1, K)) of
        [] -> look(T, K, J + 1, Hi, Acc);
        _ -> look(T, K, J + 1, Hi, Acc + 1)
    end.

mix(_T, _K, J, Hi) when J >= Hi -> 0;
mix(T, K, J, Hi) ->
    Key = element(J + 1, K),
    case J rem 10 of
        9 -> ets:insert(T, row(Key));
        _ -> ets:lookup(T, Key)
    end,
    mix(T, K, J + 1, Hi).

uc(_T, _K, J, Hi) when J >= Hi -> 0;
uc(T, K, J, Hi) -> ets:update_counter(T, element(J + 1, K), {2, 1}), uc(T, K, J + 1, Hi).

trav(_T, '$end_of_table', C) -> C;
trav(T, K, C) -> trav(T, ets:next(T, K), C + 1).

sel_key(_T, _K, J, Hi, Acc) when J >= Hi -> Acc;
sel_key(T, K, J, Hi, Acc) ->
    Key = element(J + 1, K),
    sel_key(T, K, J + 1, Hi, Acc + length(ets:select(T, [{{Key, '_', '_'}, [], ['$_']}]))).

sel_range(_T, _S, _W, J, Hi, Acc) when J >= Hi -> Acc;
sel_range(T, S, W, J, Hi, Acc) ->
    Lo = element(J + 1, S),
    Rows = ets:select(T, [{{'$1', '_', '_'}, [{'>=', '$1', Lo}, {'<', '$1', Lo + W}], ['$_']}]),
    sel_range(T, S, W, J + 1, Hi, Acc + length(Rows)).
