using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Search;
using TinyTrain.Compiler.Sparse;
using TinyTrain.Formats;
using TinyTrain.Runtime.Contribution;

namespace TinyTrain.Cli.Commands;

/// <summary>
/// `tinytrain search MODEL --data D --budget B`: measure what updating each part of the model gains by short real
/// fine-tuning runs (cached), then pick the scheme of greatest summed gain within the budget, exactly and by the
/// paper's evolutionary search, and write it as a scheme JSON that `plan` and `train` accept.
/// </summary>
public static class SearchCommand
{
    public static Command Create(TextWriter stdout)
    {
        var source = new ModelSource();
        var split = new DataSplit(data: null, limit: 900, heldOut: 500, minimumHeldOut: 1);
        var budget = new Option<string>("--budget", "-b") { Description = "Memory budget, e.g. 256KB, 100KB, 1MB or bytes", Required = true };
        var cost = new Option<string>("--cost") { DefaultValueFactory = _ => "arena", Description = "What the budget bounds: arena (the planned training arena, all SRAM of a step) or analytic (the paper's extra memory)" };
        cost.AcceptOnlyFromAmong("arena", "analytic");
        var run = new FineTuning();
        var biasConvs = new Option<int?>("--bias-convs") { Description = "Bias curve for k = 1..N (default: every backbone conv)" };
        var weightConvs = new Option<int?>("--weight-convs") { Description = "Analyse the weights of the last N convs (default: the later half of the backbone)" };
        var metric = new Option<string>("--metric")
        {
            DefaultValueFactory = _ => "accuracy",
            Description = "Score of a run: accuracy (held-out, the paper's) or loss (mean training loss of the last epoch; with --epochs 1 every image is scored before it is trained on, an online held-out loss, and smoother)",
        };
        metric.AcceptOnlyFromAmong("accuracy", "loss");
        var repeats = new Option<int>("--repeats") { DefaultValueFactory = _ => 1, Description = "Seeds each run is averaged over (less noise, proportionally longer)" };
        var jobs = new Option<int>("--jobs", "-j") { DefaultValueFactory = _ => Environment.ProcessorCount, Description = "Runs at once, one core each" };
        var cache = new Option<string?>("--cache") { Description = $"Cache folder (default: ${RunCache.Variable} or ~/.cache/tinytrain)" };
        var population = new Option<int>("--population") { DefaultValueFactory = _ => 100, Description = "Evolutionary search: population" };
        var generations = new Option<int>("--generations") { DefaultValueFactory = _ => 40, Description = "Evolutionary search: generations" };
        var output = new Option<string?>("--out", "-o") { Description = "Scheme JSON to write (default: search-MODEL-BUDGET.json)" };
        var png = CommonOptions.Png("the contribution curves");
        var json = CommonOptions.Json();
        var quiet = CommonOptions.Quiet();
        var command = new Command("search", "Find the sparse-update scheme of greatest measured gain within a memory budget")
        {
            source, split, budget, cost, run, biasConvs, weightConvs, metric, repeats, jobs, cache, population, generations, output, png, json, quiet,
        };
        command.SetAction(parse =>
        {
            var modelPath = source.Resolve(parse);
            var graph = ModelLoader.Load(modelPath);
            var kind = parse.GetValue(cost) == "analytic" ? BudgetKind.Analytic : BudgetKind.Arena;
            var budgetText = parse.GetValue(budget)!;
            var budgetBytes = Bytes.Parse(budgetText);
            var dataset = split.Open(parse);
            var training = run.Training(parse, dataset.Classes);
            // Refuse an impossible budget before spending minutes on the analysis.
            SchemeSearch.CheckBudget(graph, kind, budgetBytes, dataset.Classes);
            var settings = Settings(parse, split.Sizes(parse, dataset), run, training, biasConvs, weightConvs, repeats, jobs)
                with { Metric = parse.GetValue(metric) == "loss" ? ContributionMetric.Loss : ContributionMetric.Accuracy };
            var analysis = new ContributionAnalysis(graph, dataset, settings);
            var runCache = RunCache.For(parse.GetValue(cache) ?? RunCache.DefaultRoot(), analysis.Key(modelPath));
            runCache.Describe($"model {modelPath}\ndata {dataset.Name}\nseeds {string.Join(",", settings.Seeds)}\n{settings.RunSettingsText()}\n");

            var console = InspectCommand.Console(stdout);
            var show = !parse.GetValue(json) && !parse.GetValue(quiet);
            var clock = Stopwatch.StartNew();
            var (table, cached) = Analyse(analysis, runCache, show ? console : null);
            var analysisSeconds = clock.Elapsed.TotalSeconds;

            var space = SearchSpace.Analytic(table, analysis.Index);
            var arena = new ArenaCost(graph, space, training, run.Momentum(parse), run.Fp32(parse));
            var name = $"search:{budgetText.ToLowerInvariant()}-{(kind == BudgetKind.Arena ? "arena" : "analytic")}";
            var evolution = new EvolutionOptions { Population = parse.GetValue(population), Generations = parse.GetValue(generations), Seed = parse.GetValue(run.Seed) };
            clock.Restart();
            var result = SchemeSearch.Run(space, arena, analysis.Index, dataset.Classes, kind, budgetBytes, evolution, name);
            var searchSeconds = clock.Elapsed.TotalSeconds;

            var best = result.Best;
            var file = parse.GetValue(output) ?? $"search-{graph.Name}-{budgetText.ToLowerInvariant()}.json";
            AtomicFile.WriteAllText(file, SchemeWriter.ToJson(best.Scheme, analysis.Index));
            if (parse.GetValue(png) is { } chart)
                ContributionChart.Save(chart, $"{graph.Name} on {dataset.Name}: contribution of each update", table, analysis.Index);

            var report = new Report(graph.Name, dataset.Name, kind == BudgetKind.Arena ? "arena" : "analytic", budgetBytes, parse.GetValue(metric)!,
                Scheme(best.Scheme, analysis.Index), Path.GetFullPath(file), best.Gain, table.HeadOnlyScore + best.Gain, best.ArenaBytes, best.AnalyticBytes,
                Pick(result.Exact), Pick(result.Evolutionary), result.Gap, result.Evaluated, result.Compiled,
                new AnalysisReport(analysis.Runs.Count, cached, analysisSeconds, searchSeconds, runCache.Directory, settings.TrainExamples, settings.ValidationExamples,
                    analysis.BiasConvs, analysis.WeightConvs, table.HeadOnlyScore, table.BaselineScore,
                    [.. Enumerable.Range(1, table.BiasLayers).Select(table.BiasGain)],
                    [.. table.Weights.Select(w => new WeightGainRow(w.Conv, analysis.Index[w.Conv].Name, w.Ratio, table.WeightGain(w)))]));
            if (parse.GetValue(json)) Json.Write(stdout, report);
            else if (show) Print(console, report);
            else stdout.WriteLine($"{Compact(best.Scheme)} -> {file}");
            return 0;
        });
        return command;
    }

    public sealed record SchemeRow(string Name, int BiasLayers, WeightRow[] Weights);

    public sealed record WeightRow(int Conv, string Layer, double Ratio);

    public sealed record PickReport(string Scheme, double PredictedGain, int ArenaBytes, double AnalyticExtraBytes);

    public sealed record WeightGainRow(int Conv, string Layer, double Ratio, double Gain);

    public sealed record AnalysisReport(int Runs, int Cached, double Seconds, double SearchSeconds, string CacheDirectory, int TrainExamples, int ValidationExamples,
        int BiasConvs, int WeightConvs, double HeadOnlyScore, double WeightBaselineScore, double[] BiasGains, WeightGainRow[] WeightGains);

    /// <param name="PredictedGain">The score over head-only training, summed from the measured gains: held-out accuracy (a fraction)
    /// or, for the loss metric, the fall of the online training loss (nats).</param>
    /// <param name="PredictedScore">Head-only score plus the gain: accuracy, or minus the loss.</param>
    public sealed record Report(string Model, string Data, string Cost, long BudgetBytes, string Metric, SchemeRow Scheme, string SchemeFile, double PredictedGain,
        double PredictedScore, int ArenaBytes, double AnalyticExtraBytes, PickReport Exact, PickReport Evolutionary, double EvolutionGap,
        int EvolutionEvaluated, int Compiled, AnalysisReport Analysis);

    private static ContributionSettings Settings(ParseResult parse, (int Drawn, int HeldOut) examples, FineTuning run, TrainingOptions training,
        Option<int?> biasConvs, Option<int?> weightConvs, Option<int> repeats, Option<int> jobs)
    {
        if (parse.GetValue(repeats) < 1) throw new UsageException($"--repeats {parse.GetValue(repeats)} must be at least 1");
        if (parse.GetValue(jobs) < 1) throw new UsageException($"--jobs {parse.GetValue(jobs)} must be at least 1");
        if (parse.GetValue(biasConvs) is < 0 || parse.GetValue(weightConvs) is < 0) throw new UsageException("--bias-convs and --weight-convs must not be negative");
        if (parse.GetValue(weightConvs) is { } w && w > (parse.GetValue(biasConvs) ?? int.MaxValue))
            throw new UsageException($"--weight-convs {w} exceeds --bias-convs {parse.GetValue(biasConvs)}: the weight baseline (biases of the last {w} convs) must be on the bias curve");
        return new ContributionSettings
        {
            TrainExamples = examples.Drawn - examples.HeldOut, ValidationExamples = examples.HeldOut, BiasConvs = parse.GetValue(biasConvs),
            WeightConvs = parse.GetValue(weightConvs), Repeats = parse.GetValue(repeats), Training = training, Fp32 = run.Fp32(parse), Jobs = parse.GetValue(jobs),
            Trainer = run.Trainer(parse), Momentum = run.Momentum(parse),
        };
    }

    private static (ContributionTable Table, int Cached) Analyse(ContributionAnalysis analysis, RunCache cache, IAnsiConsole? console)
    {
        var cached = 0;
        if (console is null)
        {
            var table = analysis.Run(cache, new ProgressCallback<AnalysisProgress>(p => cached = p.Cached));
            return (table, cached);
        }
        console.MarkupLine($"contribution analysis: {analysis.Runs.Count} runs (bias k = 1..{analysis.BiasConvs}, weights of the last {analysis.WeightConvs} convs); cache {Markup.Escape(cache.Directory)}");
        ContributionTable? result = null;
        console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask? task = null;
                result = analysis.Run(cache, new ProgressCallback<AnalysisProgress>(p =>
                {
                    // Cached runs take no time: the bar (and its time left) counts only the runs still to do.
                    task ??= ctx.AddTask($"{p.Cached} cached", maxValue: Math.Max(1, p.Total - p.Cached));
                    cached = p.Cached;
                    task.Value = p.Done - p.Cached;
                    if (p.Last is { } run && p.Result is { } r)
                        task.Description = $"{p.Done}/{p.Total} runs  last {Markup.Escape(run.Scheme.Name)}: {r.Accuracy:P1}, loss {r.TrainLoss:F3}";
                    if (p.Done == p.Total) task.Value = task.MaxValue;
                }));
            });
        return (result!, cached);
    }

    private static SchemeRow Scheme(UpdateScheme scheme, ConvIndex index) =>
        new(scheme.Name, scheme.BiasLayers, [.. scheme.Weights.Select(w => new WeightRow(w.ConvIndex, index[w.ConvIndex].Name, w.Ratio))]);

    private static PickReport Pick(SearchPick pick) => new(Compact(pick.Scheme), pick.Gain, pick.ArenaBytes, pick.AnalyticBytes);

    /// <summary>"biases 22, weights 21:1 24:1 27:1/2": the paper's table notation.</summary>
    private static string Compact(UpdateScheme scheme) =>
        $"biases {scheme.BiasLayers}, weights {(scheme.Weights.Length == 0 ? "none" : string.Join(" ", scheme.Weights))}";

    private static void Print(IAnsiConsole console, Report r)
    {
        var a = r.Analysis;
        var loss = r.Metric == "loss";
        string Score(double score) => loss ? $"loss {-score:F3}" : $"{score:P1}";
        string Gain(double gain) => loss ? $"{gain:+0.000;-0.000} nats" : $"{gain * 100:+0.00;-0.00} pt";
        console.MarkupLine($"analysis: {a.Runs} runs ({a.Cached} cached) in {a.Seconds:F0} s; {a.TrainExamples} training / {a.ValidationExamples} held-out images per run; metric {r.Metric}");
        console.MarkupLine($"  head only {Score(a.HeadOnlyScore)}; biases of the last {a.WeightConvs} convs (weight baseline) {Score(a.WeightBaselineScore)}");
        var best = a.WeightGains.GroupBy(w => w.Conv).Select(g => g.MaxBy(w => w.Gain)!).OrderByDescending(w => w.Gain).Take(5);
        console.MarkupLine($"  largest weight gains: {string.Join(", ", best.Select(w => $"{w.Conv} {Markup.Escape(w.Layer)} @{w.Ratio:0.###} {Gain(w.Gain)}"))}");
        var table = new Table().Border(TableBorder.Rounded).AddColumns("search", "scheme", "predicted gain", "analytic extra", "planned arena");
        table.AddRow("exact", Markup.Escape(r.Exact.Scheme), Gain(r.Exact.PredictedGain), Labels.Kb(r.Exact.AnalyticExtraBytes), $"{r.Exact.ArenaBytes:N0} B");
        table.AddRow("evolutionary", Markup.Escape(r.Evolutionary.Scheme), Gain(r.Evolutionary.PredictedGain), Labels.Kb(r.Evolutionary.AnalyticExtraBytes), $"{r.Evolutionary.ArenaBytes:N0} B");
        console.Write(table);
        console.MarkupLine($"evolution is {Gain(r.EvolutionGap)} below the exact optimum ({r.EvolutionEvaluated:N0} candidates evaluated; {r.Compiled} compiled; search {a.SearchSeconds:F1} s)");
        console.MarkupLine($"wrote [bold]{Markup.Escape(r.SchemeFile)}[/]: predicted {Score(r.PredictedScore)}, planned arena {r.ArenaBytes:N0} B, analytic extra {Labels.Kb(r.AnalyticExtraBytes)}");
    }
}
