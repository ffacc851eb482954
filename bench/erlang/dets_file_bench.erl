%% OTP's side of bench/drivers/dets-writer.mjs: write a DETS file the way
%% an application fills one (dets:insert/2 in batches of 1000), and read a
%% DETS file (whoever wrote it) as an application would: open it read-only,
%% select every object, look up 100k random keys.
%% erl -noshell -pa DIR -run dets_file_bench write File N
%% erl -noshell -pa DIR -run dets_file_bench read File N
-module(dets_file_bench).
-export([main/1]).

main(["write", File, NS]) ->
    N = list_to_integer(NS),
    _ = file:delete(File),
    T0 = erlang:monotonic_time(microsecond),
    {ok, T} = dets:open_file(w, [{file, File}]),
    ins(T, 0, N),
    ok = dets:close(T),
    Ms = (erlang:monotonic_time(microsecond) - T0) / 1000,
    bench_util:emit([{"writeMs", Ms}, {"peakRssMB", bench_util:peak_rss_mb()}]),
    halt();
main(["read", File, NS]) ->
    N = list_to_integer(NS),
    T0 = erlang:monotonic_time(microsecond),
    {ok, T} = dets:open_file(r, [{file, File}, {repair, false}, {access, read}]),
    T1 = erlang:monotonic_time(microsecond),
    Rows = length(dets:select(T, [{'_', [], ['$_']}])),
    T2 = erlang:monotonic_time(microsecond),
    Keys = bench_util:keys(N, min(N, 100000), 42),
    Found = look(T, Keys, tuple_size(Keys), 0),
    T3 = erlang:monotonic_time(microsecond),
    {_, Slots, _} = dets:info(T, no_slots),
    Size = dets:info(T, file_size),
    ok = dets:close(T),
    Found =:= tuple_size(Keys) orelse error({lookup_missed, Found}),
    bench_util:emit([{"openMs", (T1 - T0) / 1000}, {"selectAllMs", (T2 - T1) / 1000}, {"rows", Rows},
                     {"lookupNs", (T3 - T2) * 1000 / tuple_size(Keys)}, {"slots", Slots}, {"fileBytes", Size}]),
    halt().

ins(_T, I, N) when I >= N -> ok;
ins(T, I, N) ->
    Hi = min(N, I + 1000),
    ok = dets:insert(T, [bench_util:row(J) || J <- lists:seq(I, Hi - 1)]),
    ins(T, Hi, N).

look(_T, _K, 0, F) -> F;
look(T, K, I, F) ->
    case dets:lookup(T, element(I, K)) of
        [] -> look(T, K, I - 1, F);
        _ -> look(T, K, I - 1, F + 1)
    end.
