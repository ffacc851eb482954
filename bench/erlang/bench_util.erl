%% Shared helpers of the OTP drivers (ets_bench, dets_bench): the same keys,
%% budgets and JSON line as bench/drivers/harness.mjs.
-module(bench_util).
-export([args/1, want/2, keys/3, row/1, budgeted/4, timed/1, peak_rss_mb/0, emit/1]).

%% erl -noshell -pa DIR -run Module main Variant N BudgetMs InsertBudgetMs OpBudgetMs Skip Dir
%% (OpBudgetMs: for lookup, mix and counter; Skip: comma-separated workloads
%% to leave out, or "none").
args([Variant, N, Budget, InsBudget, OpBudget, Skip, Dir]) ->
    #{variant => list_to_atom(Variant), n => list_to_integer(N), budget => list_to_integer(Budget),
      insert_budget => list_to_integer(InsBudget), op_budget => list_to_integer(OpBudget),
      skip => string:lexemes(Skip, ","), dir => Dir}.

want(Workload, #{skip := Skip}) -> not lists:member(Workload, Skip).

row(I) -> {I, I * 2, <<"value-", (integer_to_binary(I))/binary>>}.

%% xorshift32, the sequence of randomKeys() in harness.mjs, as a tuple (1-based).
keys(N, Count, Seed) -> list_to_tuple(keys(N, Count, Seed band 16#FFFFFFFF, [])).
keys(_N, 0, _X, Acc) -> lists:reverse(Acc);
keys(N, C, X0, Acc) ->
    X1 = (X0 bxor (X0 bsl 13)) band 16#FFFFFFFF,
    X2 = X1 bxor (X1 bsr 17),
    X3 = (X2 bxor (X2 bsl 5)) band 16#FFFFFFFF,
    keys(N, C - 1, X3, [X3 rem N | Acc]).

now_ns() -> erlang:monotonic_time(nanosecond).

%% Runs F(Lo, Hi) over [0, Total) in chunks until done or over budget, as
%% budgeted() in harness.mjs: chunks start at 16 ops and double up to
%% MaxChunk, so that a slow system overruns its budget by little.
%% Returns {NsPerOp, Ops, Sink} (F returns a count).
budgeted(Total, MaxChunk, BudgetMs, F) ->
    T0 = now_ns(),
    budgeted(0, Total, min(16, MaxChunk), MaxChunk, T0, BudgetMs * 1000000, F, 0).
budgeted(Done, Total, Chunk, MaxChunk, T0, Budget, F, Sink) ->
    Hi = min(Total, Done + Chunk),
    S = Sink + F(Done, Hi),
    Elapsed = now_ns() - T0,
    if Hi >= Total; Elapsed > Budget -> {Elapsed / Hi, Hi, S};
       true -> budgeted(Hi, Total, min(MaxChunk, Chunk * 2), MaxChunk, T0, Budget, F, S)
    end.

%% {Ms, Result}
timed(F) ->
    T0 = now_ns(),
    R = F(),
    {(now_ns() - T0) / 1.0e6, R}.

peak_rss_mb() ->
    {ok, B} = file:read_file("/proc/self/status"),
    case re:run(B, "VmHWM:\\s+(\\d+) kB", [{capture, all_but_first, list}]) of
        {match, [Kb]} -> list_to_integer(Kb) / 1024;
        _ -> null
    end.

%% One JSON line from a proplist of {Name, Number | null | [String]}.
emit(Pairs) ->
    Fields = [["\"", K, "\":", value(V)] || {K, V} <- Pairs],
    io:format("{~s}~n", [lists:join(",", Fields)]).
value(null) -> "null";
value(V) when is_integer(V) -> integer_to_list(V);
value(V) when is_float(V) -> float_to_list(V, [{decimals, 6}, compact]);
value(L) when is_list(L) -> ["[", lists:join(",", [["\"", S, "\""] || S <- L]), "]"].
