using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using JasperFx.CommandLine;
using Microsoft.Extensions.Logging.Console;
using Spectre.Console;

namespace NationalRegister.Seeding;

public sealed class SeedInput : NetCoreInput
{
    [Description("Years of history, ending on --until")]
    [FlagAlias("years")]
    public int YearsFlag { get; set; } = 10;

    [Description("1.0 is England and Wales: about 380,000 episodes of 200,000 people a year; 0.01 is a hundredth")]
    [FlagAlias("scale")]
    public double ScaleFlag { get; set; } = 1.0;

    [Description("The random seed: the same seed, scale, years and until give byte-identical output")]
    [FlagAlias("seed", true)]
    public int SeedFlag { get; set; } = 42;

    [Description("The last day of history, yyyy-mm-dd (UTC); default today. Nothing in the output happens after that day")]
    [FlagAlias("until")]
    public string? UntilFlag { get; set; }

    [Description("Where to write the NDJSON, one message a line; - for standard output")]
    [FlagAlias("out")]
    public string OutFlag { get; set; } = "seed.ndjson";
}

/// <summary>
/// Writes a synthetic national history of missing episodes as the messages forces send the register (see
/// <see cref="SeedLine"/>), for an importer to replay. Needs no database: it never builds the register's host.
/// </summary>
[Description("Write a synthetic national history of missing episodes as NDJSON messages (identical output for the same " +
    "--seed, --scale, --years and --until)", Name = "seed")]
public sealed class SeedCommand : JasperFxCommand<SeedInput>
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    /// <summary>For `seed`, everything but the lines (command-line notes, logs) goes to stderr, so `--out -` pipes clean NDJSON.</summary>
    public static void KeepStandardOutputForTheLines(WebApplicationBuilder builder, string[] args)
    {
        if (args is not ["seed", ..]) return;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    public override bool Execute(SeedInput input)
    {
        var until = DateOnly.FromDateTime(DateTime.UtcNow);
        if (input.UntilFlag is { } text
            && !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out until))
            return Refuse($"--until {text} is not a date: give it as yyyy-mm-dd (e.g. 2026-11-30).");
        if (input.YearsFlag is < 1 or > 100) return Refuse("--years must be a whole number from 1 to 100.");
        if (!(input.ScaleFlag is > 0 and <= 100)) return Refuse("--scale must be above 0 and at most 100 (1.0 is England and Wales).");

        var settings = new SeedSettings(input.YearsFlag, input.ScaleFlag, input.SeedFlag, until);
        var history = new SyntheticHistory();
        var toStdout = input.OutFlag == "-";
        using var output = toStdout ? Console.OpenStandardOutput() : File.Create(input.OutFlag);
        using var buffered = new BufferedStream(output, 1 << 20);
        using var writer = new Utf8JsonWriter(buffered);
        var progress = new Progress(settings.EstimatedEpisodes);
        long lines = 0, bytes = 0;
        foreach (var line in history.Generate(settings))
        {
            line.WriteTo(writer);
            writer.Flush();
            bytes += writer.BytesCommitted + 1;
            writer.Reset();
            buffered.Write(NewLine);
            if (++lines % 4096 == 0) progress.Report(history.Episodes, lines);
        }

        buffered.Flush();
        var seconds = progress.Elapsed.TotalSeconds;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(progress.OnTerminal ? "\r" : "")}Seeded {history.Episodes:N0} episodes of {history.People:N0} people: {lines:N0} lines, " +
            $"{bytes:N0} bytes in {seconds:F1} s ({history.Episodes / Math.Max(seconds, 0.001):N0} episodes/s; seed {settings.Seed}, " +
            $"scale {settings.Scale}, {settings.Years} year(s) to {until:yyyy-MM-dd}) " +
            $"to {(toStdout ? "standard output" : input.OutFlag)}"));
        return true;
    }

    private static bool Refuse(string problem)
    {
        Console.Error.WriteLine(problem);
        return false;
    }

    /// <summary>On stderr: redrawn about once a second on a terminal, otherwise a line every five seconds (logs stay short).</summary>
    private sealed class Progress(long estimated)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _shown;

        public bool OnTerminal { get; } = !Console.IsErrorRedirected;

        public TimeSpan Elapsed => _clock.Elapsed;

        public void Report(long episodes, long lines)
        {
            var now = _clock.Elapsed;
            if (now - _shown < TimeSpan.FromSeconds(OnTerminal ? 1 : 5)) return;
            _shown = now;
            var rate = episodes / now.TotalSeconds;
            var eta = rate > 0 && estimated > episodes ? TimeSpan.FromSeconds((estimated - episodes) / rate) : TimeSpan.Zero;
            var text = string.Create(CultureInfo.InvariantCulture,
                $"{episodes:N0} of about {estimated:N0} episodes ({100.0 * episodes / Math.Max(1, estimated):F0}%), {lines:N0} lines, " +
                $"{rate:N0} episodes/s, about {eta:hh\\:mm\\:ss} to go");
            if (OnTerminal) Console.Error.Write($"\r{text}   ");
            else Console.Error.WriteLine(text);
        }
    }
}
