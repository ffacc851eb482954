%% OTP dets on the workloads of bench/drivers/harness.mjs, in the same order.
%% Default options (auto_save 180000 ms; a table not closed properly is
%% repaired on the next open). No ordered_set in dets; no event loop in BEAM.
%% erl -noshell -pa DIR -run dets_bench main set 100000 2000 2000 2000 none /tmp/dir
-module(dets_bench).
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
    File = filename:join(Dir, "bench.dets"),
    Open = fun() -> {ok, bench} = dets:open_file(bench, [{file, File}, {type, Type}]), bench end,
    T = Open(),
    {Ins, InsOps, _} = budgeted(N, 1000, InsBudget, fun(Lo, Hi) -> ins(T, Lo, Hi) end),
    ins(T, InsOps, N), % the rest of the table, unmeasured (single inserts: after dets:from_ets/2 OTP dets runs far from its steady state for a while)
    {SyncMs, ok} = timed(fun() -> dets:sync(T) end),
    {Look, LookOps, Found} = budgeted(N, 1000, OpBudget, fun(Lo, Hi) -> look(T, LookupKeys, Lo, Hi, 0) end),
    Found >= LookOps orelse error({lookup_missed, Found, LookOps}),
    Mix = case Want("mix") of
        true ->
            {M, MOps, _} = budgeted(N, 1000, OpBudget, fun(Lo, Hi) -> mix(T, MixKeys, Lo, Hi) end),
            [{"mix", M}, {"mixOps", MOps}];
        false -> []
    end,
    Counter = case Type =:= set andalso Want("counter") of
        true ->
            {C, COps, _} = budgeted(N, 1000, OpBudget, fun(Lo, Hi) -> uc(T, CounterKeys, Lo, Hi) end),
            [{"counter", C}, {"counterOps", COps}];
        false -> []
    end,
    Scan = case Want("scan") of
        true ->
            %% first/next on dets reads the file per key: budgeted, and scaled to N rows if cut short
            {ScanMs0, Visited} = timed(fun() -> trav(T, dets:first(T), 0, erlang:monotonic_time(millisecond) + Budget) end),
            {ListMs, _} = timed(fun() -> length(dets:select(T, [{'_', [], ['$_']}])) end),
            [{"scanMs", ScanMs0 * N / Visited}, {"scanOps", Visited}, {"tab2listMs", ListMs}];
        false -> []
    end,
    Select = case Want("select") of
        true ->
            {SelKey, SelKeyOps, _} = budgeted(N, 100, Budget, fun(Lo, Hi) -> sel_key(T, LookupKeys, Lo, Hi, 0) end),
            {SelRange, SelRangeOps, RangeRows} = budgeted(RangeCount, 1, Budget, fun(Lo, Hi) -> sel_range(T, Starts, W, Lo, Hi, 0) end),
            Limit = N div 5,
            {SelGuard, SelGuardOps, GuardRows} =
                budgeted(5, 1, Budget, fun(_, _) -> length(dets:select(T, [{{'_', '$2', '_'}, [{'<', '$2', Limit}], ['$_']}])) end),
            [{"selKey", SelKey}, {"selKeyOps", SelKeyOps},
             {"selRangeUs", SelRange / 1000}, {"selRangeOps", SelRangeOps}, {"selRangeRows", RangeRows / SelRangeOps},
             {"selGuardMs", SelGuard / 1.0e6}, {"selGuardOps", SelGuardOps}, {"selGuardRows", GuardRows / SelGuardOps}];
        false -> []
    end,
    ok = dets:sync(T),
    FileBytes = filelib:file_size(File),
    {CloseMs, ok} = timed(fun() -> dets:close(T) end),
    %% compaction: dets rewrites (compacts) the file on open with {repair, force}
    {CompactMs, _} = timed(fun() -> {ok, C1} = dets:open_file(bench, [{file, File}, {repair, force}]), ok = dets:close(C1) end),
    Compacted = filelib:file_size(File),
    Key0 = element(1, LookupKeys),
    {ReopenMs, [_ | _]} = timed(fun() -> dets:lookup(Open(), Key0) end),
    ok = dets:close(bench),
    bench_util:emit([{"n", N}, {"insert", Ins}, {"insertOps", InsOps}, {"syncMs", SyncMs}, {"insertDurable", Ins + SyncMs * 1.0e6 / N},
                     {"lookup", Look}, {"lookupOps", LookOps}] ++ Mix ++ Counter ++ Scan ++ Select ++
                    [{"fileBytes", FileBytes}, {"closeMs", CloseMs}, {"compactMs", CompactMs}, {"compactedBytes", Compacted},
                     {"reopenMs", ReopenMs}, {"peakRssMB", bench_util:peak_rss_mb()},
                     {"notes", ["event-loop delay: n/a (no event loop in BEAM)",
                                "compaction: reopen with {repair, force}",
                                "tab2list: dets:select(T, [{'_', [], ['$_']}])"]}]),
    halt().

ins(_T, I, Hi) when I >= Hi -> 0;
ins(T, I, Hi) -> dets:insert(T, row(I)), ins(T, I + 1, Hi).


look(_T, _K, J, Hi, Acc) when J >= Hi -> Acc;
look(T, K, J, Hi, Acc) ->
    case dets:lookup(T, element(J + 1, K)) of
        [] -> look(T, K, J + 1, Hi, Acc);
        _ -> look(T, K, J + 1, Hi, Acc + 1)
    end.

mix(_T, _K, J, Hi) when J >= Hi -> 0;
mix(T, K, J, Hi) ->
    Key = element(J + 1, K),
    case J rem 10 of
        9 -> dets:insert(T, row(Key));
        _ -> dets:lookup(T, Key)
    end,
    mix(T, K, J + 1, Hi).

uc(_T, _K, J, Hi) when J >= Hi -> 0;
uc(T, K, J, Hi) -> dets:update_counter(T, element(J + 1, K), {2, 1}), uc(T, K, J + 1, Hi).

trav(_T, '$end_of_table', C, _Deadline) -> C;
trav(T, K, C, Deadline) when C rem 1000 =:= 999 ->
    case erlang:monotonic_time(millisecond) > Deadline of
        true -> C + 1;
        false -> trav(T, dets:next(T, K), C + 1, Deadline)
    end;
trav(T, K, C, Deadline) -> trav(T, dets:next(T, K), C + 1, Deadline).

sel_key(_T, _K, J, Hi, Acc) when J >= Hi -> Acc;
sel_key(T, K, J, Hi, Acc) ->
    Key = element(J + 1, K),
    sel_key(T, K, J + 1, Hi, Acc + length(dets:select(T, [{{Key, '_', '_'}, [], ['$_']}]))).

sel_range(_T, _S, _W, J, Hi, Acc) when J >= Hi -> Acc;
sel_range(T, S, W, J, Hi, Acc) ->
    Lo = element(J + 1, S),
    Rows = dets:select(T, [{{'$1', '_', '_'}, [{'>=', '$1', Lo}, {'<', '$1', Lo + W}], ['$_']}]),
    sel_range(T, S, W, J + 1, Hi, Acc + length(Rows)).
